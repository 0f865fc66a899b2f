//! Visitor profiles: who the browser pretends to be. Skimmers hide from scanners by serving
//! their code only to some visitors (phones, people arriving from a search result, customers
//! who came back with a cookie), so the pass can visit as several of them and compare. Each
//! profile fixes a user agent, a viewport, touch, and the language, the way a real browser of
//! that kind reports them.

use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Profile {
    Desktop,
    Mobile,
    /// A desktop visitor arriving from a search result (a `Referer` from the search engine).
    Search,
    /// A desktop visitor on a second visit, with the first visit's cookies.
    Returning,
}

/// How a profile's browser looks to the page.
#[derive(Clone, Debug, PartialEq)]
pub struct Persona {
    pub user_agent: &'static str,
    /// `navigator.platform`.
    pub platform: &'static str,
    pub width: u32,
    pub height: u32,
    pub device_scale: f64,
    pub mobile: bool,
    pub touch_points: u32,
    pub accept_language: &'static str,
    pub locale: &'static str,
    /// The `Referer` of the navigation, when the visitor comes from somewhere.
    pub referrer: Option<&'static str>,
    /// Load the page once before the visit that counts (cookies and storage carry over).
    pub visit_twice: bool,
}

const DESKTOP_UA: &str = crate::fetch::DEFAULT_USER_AGENT;
const MOBILE_UA: &str = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0.0.0 Mobile Safari/537.36";

impl Profile {
    pub const ALL: [Profile; 4] = [
        Profile::Desktop,
        Profile::Mobile,
        Profile::Search,
        Profile::Returning,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Desktop => "desktop",
            Profile::Mobile => "mobile",
            Profile::Search => "search",
            Profile::Returning => "returning",
        }
    }

    pub fn persona(self) -> Persona {
        let desktop = Persona {
            user_agent: DESKTOP_UA,
            platform: "Win32",
            width: 1366,
            height: 768,
            device_scale: 1.0,
            mobile: false,
            touch_points: 0,
            accept_language: "en-US,en;q=0.9",
            locale: "en-US",
            referrer: None,
            visit_twice: false,
        };
        match self {
            Profile::Desktop => desktop,
            Profile::Mobile => Persona {
                user_agent: MOBILE_UA,
                platform: "Linux armv81",
                width: 412,
                height: 915,
                device_scale: 2.625,
                mobile: true,
                touch_points: 5,
                ..desktop
            },
            Profile::Search => Persona {
                referrer: Some("https://www.google.com/"),
                ..desktop
            },
            Profile::Returning => Persona {
                visit_twice: true,
                ..desktop
            },
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Profile {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Profile::ALL
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown profile `{s}` (expected desktop, mobile, search or returning)")
            })
    }
}

/// The major version in a Chrome user agent (`Chrome/142.0.0.0` → `142`), for the
/// client-hint brands that must agree with it.
pub fn chrome_major(user_agent: &str) -> Option<&str> {
    let rest = user_agent.split("Chrome/").nth(1)?;
    rest.split('.').next().filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_profiles_differ() {
        for p in Profile::ALL {
            assert_eq!(p.as_str().parse::<Profile>(), Ok(p));
        }
        assert!("tablet".parse::<Profile>().is_err());
        assert!(Profile::Mobile.persona().mobile);
        assert!(Profile::Mobile.persona().user_agent.contains("Mobile"));
        assert!(!Profile::Desktop.persona().user_agent.contains("Headless"));
        assert!(Profile::Search.persona().referrer.is_some());
        assert!(Profile::Returning.persona().visit_twice);
        assert_eq!(chrome_major(MOBILE_UA), Some("142"));
        assert_eq!(chrome_major("curl/8"), None);
    }
}
