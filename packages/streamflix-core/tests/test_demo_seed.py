import io

from django.contrib.auth import get_user_model

from streamflix_core.demo import seed
from streamflix_core.models import Profile


def test_seed_creates_admin_and_viewer_with_two_profiles_repeatably(db):
    out = io.StringIO()
    seed(out)
    seed(out)
    text = out.getvalue()
    assert "admin@streamflix.local / streamflix-admin" in text
    assert "viewer@streamflix.local / streamflix-viewer" in text
    users = get_user_model().objects
    admin = users.get(email="admin@streamflix.local")
    viewer = users.get(email="viewer@streamflix.local")
    assert admin.is_superuser and viewer.is_active and viewer.email_verified
    assert not viewer.is_staff and viewer.check_password("streamflix-viewer")
    profiles = list(
        Profile.objects.filter(user=viewer).values_list("name", "is_kids", "is_default")
    )
    assert profiles == [("Alex", False, True), ("Kids", True, False)]
