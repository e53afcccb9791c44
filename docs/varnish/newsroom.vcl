# Varnish in front of Newsroom's app servers: reader pages cached until
# their content changes, purged by surrogate key (the xkey vmod, Debian's
# varnish-modules). The app sends each page's keys in Surrogate-Key and,
# with PURGE_URL pointing here, a PURGE with an xkey-purge header naming
# the keys of everything a change touched. See docs/edge-caching.md.
vcl 4.1;

import xkey;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
}

# Who may purge: the app servers.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "An xkey-purge header naming the keys is required"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.n-gone + " objects"));
    }
    # Editors' pages are personal; uploads and static files have their own lifetimes.
    if (req.url ~ "^/(admin|uploads)/") {
        return (pass);
    }
    # Reader pages read no cookie: a reader signed in to the admin gets the same page.
    unset req.http.Cookie;
}

sub vcl_backend_response {
    if (beresp.http.Surrogate-Key) {
        # Tag the object for xkey.purge(). The app tells browsers to
        # revalidate every time; Varnish keeps the page until it is purged.
        set beresp.http.xkey = beresp.http.Surrogate-Key;
        set beresp.ttl = 1d;
        set beresp.grace = 0s;
    }
}

sub vcl_deliver {
    unset resp.http.xkey;
    if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
