"""Ports: the Protocols services depend on; adapters implement them, bootstrap wires them."""
