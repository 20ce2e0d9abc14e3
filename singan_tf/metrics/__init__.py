"""Sample-quality metrics: patch statistics, SIFID, pixel fidelity, and the report of all."""
