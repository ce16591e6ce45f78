"""Local development cloud: real Keystone and Ironic on loopback."""
