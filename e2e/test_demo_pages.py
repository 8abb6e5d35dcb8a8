from conftest import screenshot


def test_api_docs_render_every_plugin_tag(demo_server, page):
    page.goto(demo_server + "/api/docs")
    page.wait_for_selector(".swagger-ui .opblock-tag", timeout=20_000)
    tags = page.locator(".swagger-ui .opblock-tag").all_inner_texts()
    assert any(t.strip().startswith("core") for t in tags), tags
    page.get_by_text("/api/plugins").first.wait_for(timeout=10_000)
    screenshot(page, "api-docs")


def test_try_it_out_calls_the_plugins_endpoint(demo_server, page):
    response = page.request.get(demo_server + "/api/plugins")
    assert response.ok
    assert [p["name"] for p in response.json()] == ["core", "billing", "media", "social"]


def test_admin_login_shows_the_plugin_sidebar(demo_server, page):
    page.goto(demo_server + "/admin/")  # redirects to the login form with ?next=/admin/
    page.fill("input[name=username]", "admin@streamflix.local")
    page.fill("input[name=password]", "streamflix-admin")
    page.click("button[type=submit]")
    page.wait_for_url(demo_server + "/admin/", timeout=20_000)
    assert page.get_by_text("Accounts and operations").first.is_visible()
    screenshot(page, "admin-home")
