"""Messages of ckanext-harvest's pages (/harvest/...: the regional admins' harvest sources), which ships no French
catalog: marked here so that ``dev/i18n.sh harvest`` extracts them into this area's catalog, whose French CKAN
merges over the other catalogs (see ``ckanext/grandest/common/core_msgids.py``)."""
from __future__ import annotations

from ckanext.grandest.common.i18n import N_

HARVEST_MSGIDS: tuple[str, ...] = (
    N_('Add Harvest Source'),
    N_('There are no datasets associated to this harvest source.'),
    N_('Sorry no harvest sources found for "{query}"'),
    N_('Sorry no harvest sources found'),
    N_('There is no description for this harvest source'),
    N_('This will re-run the harvesting for this source. Any updates at the source will overwrite the local datasets. Sources with a large number of datasets may take a significant amount of time to finish harvesting. Please confirm you would like us to start reharvesting.'),
    N_('Start a new harvesting job for this harvest source now'),
    N_('Reharvest'),
    N_('Warning: This will remove all datasets for this source, as well as all previous job reports. Are you sure you want to continue?'),
    N_('Delete all harvest jobs and existing datasets from this source'),
    N_('Clear'),
    N_('View harvest source'),
    N_('Jobs'),
    N_('Harvest Sources'),
    N_('Create Harvest Source'),
    N_('Create harvest source'),
    N_('Harvest sources'),
    N_(' Harvest sources allow importing remote metadata into this catalog. Remote sources can be other catalogs such as other CKAN instances, CSW servers or Web Accessible Folders (WAF) (depending on the actual harvesters enabled for this instance). '),
    N_('This should include the http:// part of the URL'),
    N_('eg. A descriptive title'),
    N_('eg. my-dataset'),
    N_('Update frequency'),
    N_('Configuration'),
    N_('No organization'),
    N_('This will flag the source as deleted but keep all its datasets and previous jobs. Are you sure you want to delete this harvest source?'),
    N_('Warning: Apart from deleting this source, this command will remove all its datasets, as well as all previous job reports. Are you sure you want to continue?'),
    N_('Delete source'),
    N_('Delete and clear source'),
    N_(' found for "{query}"'),
    N_('read more'),
    N_('Search harvest sources...'),
    N_('All harvest sources'),
    N_('Try another search term, browse the sources below or '),
    N_('add a new one'),
    N_(' <p><strong>There was an error while searching.</strong> Please try again.</p> '),
)


def _plural_msgids(ngettext) -> None:  # never called: marks ckanext-harvest's plural messages for the extractor
    ngettext('{number} harvest source found for "{query}"', '{number} harvest sources found for "{query}"', 1)
    ngettext('{number} harvest source found', '{number} harvest sources found', 1)
