import "./styles.css";
import { navigate, notFound, route, startRouter, type Page } from "./router";
import { currentProfile, currentUser, forgetSession, loadUser } from "./session";
import { renderHeader } from "./ui/header";
import { accountPage } from "./pages/account";
import { activatePage } from "./pages/activate";
import { confirmEmailPage } from "./pages/confirmEmail";
import { forgotPasswordPage } from "./pages/forgotPassword";
import { homePage } from "./pages/home";
import { myListPage } from "./pages/myList";
import { notFoundPage } from "./pages/notFound";
import { profilesPage } from "./pages/profiles";
import { registerPage } from "./pages/register";
import { resetPasswordPage } from "./pages/resetPassword";
import { searchPage } from "./pages/search";
import { signinPage } from "./pages/signin";
import { subscribePage } from "./pages/subscribe";
import { titlePage } from "./pages/title";

// The player (and hls.js, most of the code) loads when a video is opened.
const watchPage: Page = async (context) => (await import("./pages/watch")).watchPage(context);

const here = () => window.location.pathname + window.location.search;

/** Signed in, else to the sign-in page (and back here afterwards). */
function signedIn(page: Page): Page {
  return async (context) => {
    if (!(await loadUser())) {
      navigate(`/signin?next=${encodeURIComponent(here())}`, { replace: true });
      return;
    }
    return page(context);
  };
}

/** Signed in and a profile chosen ("Who's watching?"). */
function watching(page: Page): Page {
  return signedIn(async (context) => {
    if (!currentProfile()) {
      navigate(`/profiles?next=${encodeURIComponent(here())}`, { replace: true });
      return;
    }
    return page(context);
  });
}

/** The sign-in family: a signed-in visitor goes on to the app. */
function signedOut(page: Page): Page {
  return async (context) => {
    if (await loadUser()) {
      navigate(currentProfile() ? "/" : "/profiles", { replace: true });
      return;
    }
    return page(context);
  };
}

route("/", watching(homePage));
route("/browse", watching(homePage));
route("/signin", signedOut(signinPage));
route("/register", signedOut(registerPage));
route("/forgot-password", forgotPasswordPage);
route("/activate", activatePage);
route("/reset-password", resetPasswordPage);
route("/confirm-email", confirmEmailPage);
route("/profiles", signedIn(profilesPage));
route("/search", watching(searchPage));
route("/my-list", watching(myListPage));
route("/title/:slug", watching(titlePage));
route("/watch/:slug", watching(watchPage));
route("/watch/:slug/episodes/:episode", watching(watchPage));
route("/account", signedIn(accountPage));
route("/subscribe", signedIn(subscribePage));
notFound(notFoundPage);

// A session that ended while the app was open: sign in again, then come back here.
document.addEventListener("sessionexpired", () => {
  if (!currentUser()) return;
  forgetSession();
  navigate(`/signin?next=${encodeURIComponent(here())}`, { replace: true });
});

const header = document.getElementById("app-header") as HTMLElement;
const paintHeader = () => renderHeader(header);
document.addEventListener("sessionchange", paintHeader);
document.addEventListener("routechange", paintHeader);
paintHeader();
startRouter();
