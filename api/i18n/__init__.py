"""Catalogues for the pages and the API: gettext messages (`<lang>/LC_MESSAGES`) and the refusals (`refusals`)."""
