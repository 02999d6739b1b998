"""Grant kinds beyond S3 (pure): one module each; `registry.py` lists them."""
