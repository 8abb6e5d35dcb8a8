from conftest import screenshot

PLUGINS = ["core", "billing", "media", "social"]


def test_api_docs_render_every_plugin_tag(demo_server, page):
    listed = [p["name"] for p in page.request.get(demo_server + "/api/plugins").json()]
    spec = page.request.get(demo_server + "/api/openapi.json").json()
    tagged = {t for path in spec["paths"].values() for op in path.values() for t in op["tags"]}
    # Each plugin's operations carry its name as their one tag; a plugin whose router has no
    # operations yet has no tag to render.
    assert tagged <= set(listed), tagged
    with_operations = [name for name in listed if name in tagged]
    assert {"core", "billing", "media"} <= set(with_operations), with_operations
    page.goto(demo_server + "/api/docs")
    page.wait_for_selector(".swagger-ui .opblock-tag", timeout=20_000)
    tags = page.locator(".swagger-ui .opblock-tag").all_inner_texts()
    assert any(t.strip().startswith("core") for t in tags), tags
    rendered = [t.split()[0] for t in tags if t.strip()]
    assert rendered == with_operations, (rendered, with_operations)
    page.get_by_text("/api/plugins").first.wait_for(timeout=10_000)
    screenshot(page, "api-docs")


def test_try_it_out_calls_the_plugins_endpoint(demo_server, page):
    response = page.request.get(demo_server + "/api/plugins")
    assert response.ok
    assert [p["name"] for p in response.json()] == PLUGINS

    page.goto(demo_server + "/api/docs")
    summary = page.locator('.opblock-summary-path[data-path="/api/plugins"]')
    operation = page.locator(".swagger-ui .opblock", has=summary).first
    operation.wait_for(timeout=20_000)
    summary.first.click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    answer = operation.locator(".live-responses-table tbody tr.response").first
    answer.wait_for(timeout=20_000)
    assert answer.locator(".response-col_status").inner_text().strip() == "200"
    shown = answer.locator(".response-col_description .highlight-code").first.inner_text()
    for name in PLUGINS:
        assert f'"{name}"' in shown, shown
    screenshot(page, "api-docs-try-it-out")


def test_admin_login_shows_the_plugin_sidebar(demo_server, page):
    page.goto(demo_server + "/admin/")  # redirects to the login form with ?next=/admin/
    page.fill("input[name=username]", "admin@streamflix.local")
    page.fill("input[name=password]", "streamflix-admin")
    page.click("button[type=submit]")
    page.wait_for_url(demo_server + "/admin/", timeout=20_000)
    assert page.get_by_text("Accounts and operations").first.is_visible()
    screenshot(page, "admin-home")


def test_admin_dashboard_draws_every_plugin_cards_and_charts(demo_server, page):
    page.goto(demo_server + "/admin/")
    page.fill("input[name=username]", "admin@streamflix.local")
    page.fill("input[name=password]", "streamflix-admin")
    page.click("button[type=submit]")
    page.wait_for_url(demo_server + "/admin/", timeout=20_000)
    dashboard = page.locator("#streamflix-dashboard")
    assert dashboard.is_visible()
    plugins = dashboard.locator("[data-dashboard-card]").evaluate_all(
        "cards => [...new Set(cards.map(card => card.dataset.dashboardCard))]"
    )
    assert set(plugins) == {"core", "media", "billing", "social"}, plugins
    assert dashboard.locator("[data-card-error]").count() == 0
    # Unfold's script turned every chart canvas into a Chart.js chart that has drawn.
    charts = dashboard.locator("canvas.chart")
    assert charts.count() >= 4
    drawn = charts.evaluate_all(
        "canvases => canvases.map(c => Boolean(window.Chart && Chart.getChart(c))"
        " && c.width > 0 && c.height > 0)"
    )
    assert all(drawn), drawn
    assert "minor units" not in page.content()
    screenshot(page, "admin-dashboard")
