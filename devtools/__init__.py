"""Development, test and benchmark support: never imported by the product.

Installed only when DEVTOOLS is on (the default in DEBUG, and in the test
suite): the dump generator and its `make_sample_dump` command, the bare
"hello" view the benchmark measures against, test data builders and the
test environment.
"""
