// Nothing to import: FuzzMain only provides the executable's entry point.
