"""The embedded Whoosh backend: the only package that imports whoosh."""
