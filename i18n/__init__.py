"""Translation catalogs of ckanext-grandest, shipped as ``ckanext.grandest.i18n``."""
