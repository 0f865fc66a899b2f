//! Checkout discovery: which same-site links from a page lead toward the payment page (cart,
//! checkout, payment, billing, order — in English and Japanese), in the order worth trying.
//!
//! Skimmers are injected where card data is typed, which is rarely the page a user names; the
//! scan follows the shop's own way to checkout. Words are matched in the percent-decoded path
//! and query (so `/%E3%82%AB%E3%83%BC%E3%83%88` is カート) and in the link text; English words
//! match whole tokens (`pay` does not match `paypal` or `display`), Japanese words substrings.

use super::{PageDoc, percent_decode};
use crate::hosts::same_site;
use url::Url;

/// Extensions of links that are files, not pages (a cart icon linked directly).
const NOT_PAGES: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "pdf", "css", "js", "zip", "mp4",
];

/// English checkout words and how strongly each points at the payment page (higher first).
/// Matched against whole lower-case tokens of the URL and the link text.
const ENGLISH_WORDS: &[(&str, u32)] = &[
    ("checkout", 3),
    ("onepage", 3),         // Magento `checkout/onepage`
    ("onestepcheckout", 3), // one-step checkout extensions
    ("payment", 3),
    ("payments", 3),
    ("billing", 2),
    ("pay", 2),
    ("purchase", 2),
    ("order", 1),
    ("cart", 1),
    ("basket", 1),
    ("bag", 1),
];

/// Phrases that span tokens (`check-out`, `check out`, `secure/checkout` is covered by
/// `checkout`).
const ENGLISH_PHRASES: &[(&[&str], u32)] = &[(&["check", "out"], 3), (&["place", "order"], 2)];

/// Japanese checkout words, matched as substrings (longest first among related words).
const JAPANESE_WORDS: &[(&str, u32)] = &[
    ("ご購入手続き", 3),
    ("決済", 3),
    ("お支払い", 3),
    ("支払", 3),
    ("レジに進む", 3),
    ("レジ", 2),
    ("購入", 2),
    ("ご注文", 2),
    ("注文", 2),
    ("ショッピングカート", 1),
    ("買い物かご", 1),
    ("カート", 1),
];

/// Tokens of links never worth following: signing in or out changes the session, removing an
/// item empties the cart.
const SKIP_TOKENS: &[&str] = &[
    "logout", "logoff", "signout", "login", "signin", "remove", "delete",
];
const SKIP_PHRASES: &[&[&str]] = &[
    &["log", "out"],
    &["sign", "out"],
    &["log", "in"],
    &["sign", "in"],
];
const SKIP_JAPANESE: &[&str] = &["ログアウト", "ログイン", "削除"];

/// Same-site links from `doc` whose URL or text suggests the way to checkout, best first,
/// without duplicates and without the page itself.
pub fn checkout_links(doc: &PageDoc, page_url: &Url) -> Vec<Url> {
    let page = without_fragment(page_url);
    let mut ranked: Vec<(u32, usize, Url)> = Vec::new();
    for (order, link) in doc.links.iter().enumerate() {
        if !followable(&link.url, page_url) {
            continue;
        }
        let url = without_fragment(&link.url);
        if is_file_link(&url) || url == page || ranked.iter().any(|(_, _, u)| *u == url) {
            continue;
        }
        let mut where_ = percent_decode(url.path());
        if let Some(query) = url.query() {
            where_.push('?');
            where_.push_str(&percent_decode(&query.replace('+', " ")));
        }
        let text = format!("{where_} {}", link.text);
        if should_skip(&text) {
            continue;
        }
        let score = score(&text);
        if score > 0 {
            ranked.push((score, order, url));
        }
    }
    // Strongest words first; among equals, the page's own order.
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    ranked.into_iter().map(|(_, _, url)| url).collect()
}

/// The page's iframes that belong to the same site, without duplicates and without the page
/// itself: they are part of the checkout (a payment step in a frame) and are scanned as pages.
pub fn same_site_frames(doc: &PageDoc, page_url: &Url) -> Vec<Url> {
    let page = without_fragment(page_url);
    let mut frames: Vec<Url> = Vec::new();
    for frame in &doc.iframes {
        let url = without_fragment(frame);
        if followable(&url, page_url) && url != page && !frames.contains(&url) {
            frames.push(url);
        }
    }
    frames
}

/// Same site and the same scheme family: http and https mix, `file:` stays among local files.
fn followable(url: &Url, page_url: &Url) -> bool {
    match (url.scheme(), page_url.scheme()) {
        ("http" | "https", "http" | "https") => match (url.host_str(), page_url.host_str()) {
            (Some(host), Some(page_host)) => same_site(host, page_host),
            _ => false,
        },
        ("file", "file") => true,
        _ => false,
    }
}

fn is_file_link(url: &Url) -> bool {
    let path = url.path().to_ascii_lowercase();
    path.rsplit_once('.')
        .is_some_and(|(_, ext)| NOT_PAGES.contains(&ext))
}

fn without_fragment(url: &Url) -> Url {
    let mut url = url.clone();
    url.set_fragment(None);
    url
}

/// The strongest checkout word in a URL path/query plus link text; 0 when there is none.
fn score(text: &str) -> u32 {
    let tokens = tokens(text);
    let english = ENGLISH_WORDS
        .iter()
        .filter(|(word, _)| tokens.iter().any(|t| t == word))
        .map(|(_, s)| *s);
    let phrases = ENGLISH_PHRASES
        .iter()
        .filter(|(phrase, _)| contains_sequence(&tokens, phrase))
        .map(|(_, s)| *s);
    let japanese = JAPANESE_WORDS
        .iter()
        .filter(|(word, _)| text.contains(word))
        .map(|(_, s)| *s);
    english.chain(phrases).chain(japanese).max().unwrap_or(0)
}

fn should_skip(text: &str) -> bool {
    let tokens = tokens(text);
    tokens.iter().any(|t| SKIP_TOKENS.contains(&t.as_str()))
        || SKIP_PHRASES.iter().any(|p| contains_sequence(&tokens, p))
        || SKIP_JAPANESE.iter().any(|w| text.contains(w))
}

/// Lower-case ASCII alphanumeric tokens (`/checkout/cart.php?step=2` → checkout, cart, php,
/// step, 2).
fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

fn contains_sequence(tokens: &[String], sequence: &[&str]) -> bool {
    tokens.len() >= sequence.len()
        && tokens
            .windows(sequence.len())
            .any(|w| w.iter().zip(sequence).all(|(t, s)| t == s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::Link;

    fn page(links: &[(&str, &str)]) -> PageDoc {
        PageDoc {
            links: links
                .iter()
                .filter_map(|(u, t)| {
                    Url::parse(u).ok().map(|url| Link {
                        url,
                        text: t.to_string(),
                    })
                })
                .collect(),
            ..PageDoc::default()
        }
    }

    fn found(doc: &PageDoc, page: &str) -> Vec<String> {
        match Url::parse(page) {
            Ok(page) => checkout_links(doc, &page)
                .iter()
                .map(Url::to_string)
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    #[test]
    fn ranks_checkout_before_cart_and_keeps_page_order() {
        let doc = page(&[
            ("https://shop.example/cart", "Cart"),
            ("https://shop.example/about", "About us"),
            ("https://www.shop.example/checkout/#top", "Proceed"),
            ("https://shop.example/basket", ""),
            ("https://shop.example/checkout/", "Checkout"),
        ]);
        assert_eq!(
            found(&doc, "https://shop.example/"),
            [
                "https://www.shop.example/checkout/",
                "https://shop.example/checkout/",
                "https://shop.example/cart",
                "https://shop.example/basket",
            ]
        );
    }

    #[test]
    fn japanese_in_text_and_encoded_path() {
        let doc = page(&[
            ("https://shop.example.jp/%E3%82%AB%E3%83%BC%E3%83%88", ""),
            ("https://shop.example.jp/p/1", "ご購入手続きへ"),
            ("https://shop.example.jp/shopping", "レジに進む"),
            ("https://shop.example.jp/news", "お知らせ"),
        ]);
        assert_eq!(
            found(&doc, "https://shop.example.jp/"),
            [
                "https://shop.example.jp/p/1",
                "https://shop.example.jp/shopping",
                "https://shop.example.jp/%E3%82%AB%E3%83%BC%E3%83%88",
            ]
        );
    }

    #[test]
    fn skips_other_sites_sessions_self_and_non_words() {
        let doc = page(&[
            ("https://evil.example/checkout", "Checkout"),
            (
                "https://shop.example/customer/account/logout",
                "Log out of checkout",
            ),
            ("https://shop.example/login?return=checkout", ""),
            ("https://shop.example/checkout#step2", "Step 2"),
            ("https://shop.example/paypal-info", "About PayPal"),
            ("https://shop.example/display", "Display"),
            ("mailto:orders@shop.example", "Order by mail"),
            ("ftp://shop.example/order", "Order"),
        ]);
        assert!(found(&doc, "https://shop.example/checkout").is_empty());
    }

    #[test]
    fn same_site_frames_only() {
        let doc = PageDoc {
            iframes: [
                "https://pay.shop.example/3ds",
                "https://www.youtube.com/embed/x",
                "https://shop.example/checkout#f",
            ]
            .iter()
            .filter_map(|u| Url::parse(u).ok())
            .collect(),
            ..PageDoc::default()
        };
        let page = Url::parse("https://shop.example/checkout").ok();
        let frames: Vec<String> = page
            .map(|p| {
                same_site_frames(&doc, &p)
                    .iter()
                    .map(Url::to_string)
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(frames, ["https://pay.shop.example/3ds"]);
    }

    #[test]
    fn local_files_follow_local_files() {
        let doc = page(&[
            ("file:///site/checkout.html", "Checkout"),
            ("https://shop.example/cart", ""),
        ]);
        assert_eq!(
            found(&doc, "file:///site/index.html"),
            ["file:///site/checkout.html"]
        );
    }
}
