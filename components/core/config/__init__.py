"""Stack configuration → Settings (pure): one module per block; `parse.read_settings` reads a whole stack
(`core/settings.py` adds the size quotas, which need the plan)."""
