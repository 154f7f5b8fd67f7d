"""In-tree plugins, one module each, and the registry that names them."""
