"""The named rules of the roster model: :mod:`.hard` (constraints) and :mod:`.soft` (penalised terms)."""
