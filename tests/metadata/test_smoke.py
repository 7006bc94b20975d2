import pytest

from tests.helpers import api_post
from tests.metadata.conftest import commune_org, dataset_dict


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_pages(app, sysadmin_with_token):
    org = commune_org()
    token = sysadmin_with_token["token"]
    env = {"Authorization": token}
    res = api_post(app, "package_create", token, **dataset_dict(org["id"], theme=["ENVI"], frequency="MONTHLY",
        temporal_start="2024-01-01", contact_name="Mairie", contact_email="mairie@ribeauville.fr",
        resources=[{"url": "https://example.org/d.csv", "name": "CSV", "schema": "scdl/deliberations"}]))
    print(res["result"]["resources"])
    for url in ["/dataset/", "/dataset/deliberations-2024", "/dataset/new", "/dataset/edit/deliberations-2024",
                "/organization/commune-de-ribeauville", "/organization/about/commune-de-ribeauville",
                "/organization/edit/commune-de-ribeauville", "/grandest/territoires?q=stras",
                "/dataset/deliberations-2024/resource/" + res["result"]["resources"][0]["id"]]:
        r = app.get(url, headers=env, status=None)
        print(url, r.status_code)
        if r.status_code != 200:
            print(r.body[-3000:])
        open("/tmp/gm_" + url.strip("/").replace("/", "_").replace("?", "_") + ".html", "w").write(r.body)
