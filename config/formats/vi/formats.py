"""Vietnamese number formats on top of Django's (``FORMAT_MODULE_PATH``): Django's ``vi`` sets the separators
("7,5", "1.234") but no grouping, so "1234" stayed ungrouped. Only what Django's module lacks is set here."""

NUMBER_GROUPING = 3
