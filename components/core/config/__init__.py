"""Stack configuration → Settings (pure): one module per block; `parse.parse_settings` reads a whole stack."""
