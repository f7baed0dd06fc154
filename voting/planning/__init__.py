"""Planning processes: the whole procedure, step by step, and the approved planning list."""
