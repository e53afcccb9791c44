"""Notes between editors on an article or one of its paragraphs, with @mentions. Never shown to readers."""
