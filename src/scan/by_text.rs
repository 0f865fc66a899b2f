//! Something worked out once per script text. A site-wide library is one shared text (one
//! `Arc<str>`) on every page of a scan, so several stages keep what they derived from a text
//! (its imports, its digest, the tags a container holds) by the text's allocation rather than
//! by hashing its bytes again. Each entry holds its text, so an address is never reused for
//! another text while it is a key here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub struct ByText<V> {
    known: Mutex<HashMap<Address, (Arc<str>, V)>>,
}

/// Where a text starts and how long it is.
type Address = (usize, usize);

impl<V> Default for ByText<V> {
    fn default() -> Self {
        ByText {
            known: Mutex::new(HashMap::new()),
        }
    }
}

impl<V: Clone> ByText<V> {
    fn at(text: &Arc<str>) -> Address {
        (text.as_ptr() as usize, text.len())
    }

    /// What was worked out for this text, if anything was.
    pub fn get(&self, text: &Arc<str>) -> Option<V> {
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        known.get(&Self::at(text)).map(|(_, v)| v.clone())
    }

    /// What was worked out for this text, working it out now (outside the lock: two threads
    /// may both work out the same text, and agree) when nothing was.
    pub fn get_or_work_out(&self, text: &Arc<str>, work_out: impl FnOnce(&str) -> V) -> V {
        if let Some(v) = self.get(text) {
            return v;
        }
        let v = work_out(text);
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        known.insert(Self::at(text), (text.clone(), v.clone()));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_text_is_worked_out_once_and_a_copy_is_another_text() {
        let memo: ByText<usize> = ByText::default();
        let text: Arc<str> = Arc::from("var a = 1;");
        let mut runs = 0;
        for _ in 0..3 {
            let v = memo.get_or_work_out(&text.clone(), |t| {
                runs += 1;
                t.len()
            });
            assert_eq!(v, 10);
        }
        assert_eq!(runs, 1);
        let copy: Arc<str> = Arc::from(&*text);
        assert_eq!(memo.get(&copy), None);
        // A text dropped by everyone else stays alive in the memo: its address cannot come
        // back as another text's.
        drop(text);
        let other: Arc<str> = Arc::from("var b = 22;");
        assert_eq!(memo.get(&other), None);
    }
}
