"""Personal data of applicants (152-ФЗ, docs/privacy.md): who viewed or exported it (the access log
and its pages), and its erasure after the retention period."""
