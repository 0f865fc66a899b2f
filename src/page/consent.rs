//! Scripts a consent manager holds back. Cookiebot, OneTrust, Usercentrics, Klaro, iubenda,
//! Complianz, Osano and tarteaucitron block a tag by writing it as `type="text/plain"` with
//! its category, and make it a script again when the customer consents, as most do: such a
//! tag runs, and the scan analyses it.

use super::extract::is_javascript;
use scraper::ElementRef;

/// Attributes and classes consent managers mark their blocked scripts with (Cookiebot,
/// OneTrust, Usercentrics, Klaro, iubenda, Complianz, Osano, tarteaucitron).
const CONSENT_ATTRIBUTES: &[&str] = &[
    "data-cookieconsent",
    "data-cookiecategory",
    "data-cookie-consent",
    "data-category",
    "data-categories",
    "data-consent",
    "data-service",
    "data-usercentrics",
    "data-suppressedsrc",
    "data-cmp-src",
    "data-cmp-vendor",
    "data-osano",
];
const CONSENT_CLASSES: &[&str] = &[
    "optanon-category-",
    "_iub_cs_activate",
    "cmplz-",
    "tarteaucitron",
];

/// Whether a `<script type="text/plain">` is a consent manager's blocked script.
pub(super) fn consent_gated(element: &ElementRef<'_>, script_type: Option<&str>) -> bool {
    if script_type != Some("text/plain") {
        return false;
    }
    let e = element.value();
    e.attrs().any(|(n, v)| {
        CONSENT_ATTRIBUTES.contains(&n)
            // Klaro: `data-type="text/javascript"` is what the script becomes.
            || (n == "data-type" && is_javascript(Some(v), None))
    }) || e
        .classes()
        .any(|c| CONSENT_CLASSES.iter().any(|p| c.starts_with(p)))
}
