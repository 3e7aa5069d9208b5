"""The typed stack: schema, loading from Pulumi config, resolution, rules and the offline plan."""
