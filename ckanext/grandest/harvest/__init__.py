"""DCAT harvesting into the Grand Est schema (plugin ``grandest_dcat_harvester``)."""
