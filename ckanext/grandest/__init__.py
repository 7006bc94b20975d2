"""ckanext-grandest: the CKAN plugins of DataGrandEst, the open-data platform of the Grand Est region."""

__version__ = "0.1.0"
