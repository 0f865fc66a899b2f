//! The cryptography of the stub page's `crypto.subtle` (`web_crypto.js`): skimmers keep their
//! endpoint under AES with a key in the script, and seal what they send so the card number
//! is never on the wire in the clear. The stub page decrypts what the script decrypts (so the
//! endpoint is seen), and encrypts what it encrypts (so the sealed card is followed to the
//! send: `web_crypto.js` remembers what each ciphertext held).
//!
//! One native function, `__skimscan_crypto(op, alg, key, iv, data, extra)`, over hex strings:
//! pure computation, no I/O, bounded input. It answers the result in hex, or `!` and why.

use aes::cipher::block_padding::Pkcs7;
use aes::cipher::{BlockModeDecrypt, BlockModeEncrypt, KeyIvInit, StreamCipher};
use aes::{Aes128, Aes192, Aes256};
use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{AesGcm, Nonce};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Digest;

/// Bytes one call takes at most (a sealed card is a few hundred bytes; a hidden second stage
/// some kilobytes).
const MAX_DATA: usize = 4 << 20;

/// PBKDF2 iterations allowed (OWASP's 600,000 for SHA-256); beyond,
/// the call fails as if the browser had refused it, rather than stall the scan.
const MAX_ROUNDS: u32 = 600_000;

/// Run one operation. `op`: `digest`, `hmac`, `encrypt`, `decrypt`, `pbkdf2`. `alg`: the
/// hash (`SHA-256`…) or the cipher (`AES-GCM`, `AES-CBC`, `AES-CTR`). `extra`: additional
/// data (hex) for AES-GCM, `rounds:bits` for PBKDF2.
pub fn run(op: &str, alg: &str, key: &str, iv: &str, data: &str, extra: &str) -> String {
    let answer = (|| -> Result<Vec<u8>, &'static str> {
        let key = unhex(key)?;
        let iv = unhex(iv)?;
        let data = unhex(data)?;
        match op {
            "digest" => digest(alg, &data),
            "hmac" => hmac(alg, &key, &data),
            "encrypt" | "decrypt" => aes(op == "encrypt", alg, &key, &iv, &data, extra),
            "pbkdf2" => pbkdf2(alg, &key, &iv, extra),
            _ => Err("unsupported operation"),
        }
    })();
    match answer {
        Ok(bytes) => hex(&bytes),
        Err(why) => format!("!{why}"),
    }
}

/// Hex (as the page's native functions take bytes) to bytes, at most [`MAX_DATA`] of them.
pub(super) fn unhex(s: &str) -> Result<Vec<u8>, &'static str> {
    if s.len() > 2 * MAX_DATA {
        return Err("too much data");
    }
    if !s.len().is_multiple_of(2) {
        return Err("odd hex");
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2).unwrap_or("zz"), 16).map_err(|_| "bad hex"))
        .collect()
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hash_name(alg: &str) -> String {
    alg.to_ascii_uppercase().replace('_', "-")
}

fn digest(alg: &str, data: &[u8]) -> Result<Vec<u8>, &'static str> {
    Ok(match hash_name(alg).as_str() {
        "SHA-1" => sha1::Sha1::digest(data).to_vec(),
        "SHA-256" => sha2::Sha256::digest(data).to_vec(),
        "SHA-384" => sha2::Sha384::digest(data).to_vec(),
        "SHA-512" => sha2::Sha512::digest(data).to_vec(),
        _ => return Err("unsupported hash"),
    })
}

fn hmac(alg: &str, key: &[u8], data: &[u8]) -> Result<Vec<u8>, &'static str> {
    fn one<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> Result<Vec<u8>, &'static str> {
        let mut m = <M as KeyInit>::new_from_slice(key).map_err(|_| "bad key")?;
        m.update(data);
        Ok(m.finalize().into_bytes().to_vec())
    }
    match hash_name(alg).as_str() {
        "SHA-1" => one::<Hmac<sha1::Sha1>>(key, data),
        "SHA-256" => one::<Hmac<sha2::Sha256>>(key, data),
        "SHA-384" => one::<Hmac<sha2::Sha384>>(key, data),
        "SHA-512" => one::<Hmac<sha2::Sha512>>(key, data),
        _ => Err("unsupported hash"),
    }
}

fn pbkdf2(alg: &str, password: &[u8], salt: &[u8], extra: &str) -> Result<Vec<u8>, &'static str> {
    let (rounds, bits) = extra.split_once(':').ok_or("no rounds")?;
    let rounds: u32 = rounds.parse().map_err(|_| "bad rounds")?;
    let bits: usize = bits.parse().map_err(|_| "bad length")?;
    if rounds == 0 || rounds > MAX_ROUNDS || bits == 0 || !bits.is_multiple_of(8) || bits > 4096 {
        return Err("refused");
    }
    // The work is rounds times the hash blocks of output: bounded as a whole, since it runs
    // outside the sandbox's counted work (one call at most about a 600,000-round key).
    let hash_bytes = match hash_name(alg).as_str() {
        "SHA-1" => 20,
        "SHA-384" => 48,
        "SHA-512" => 64,
        _ => 32,
    };
    let blocks = (bits / 8).div_ceil(hash_bytes) as u64;
    if u64::from(rounds) * blocks > u64::from(MAX_ROUNDS) * 2 {
        return Err("refused");
    }
    let mut out = vec![0u8; bits / 8];
    match hash_name(alg).as_str() {
        "SHA-1" => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, rounds, &mut out),
        "SHA-256" => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, rounds, &mut out),
        "SHA-384" => pbkdf2::pbkdf2_hmac::<sha2::Sha384>(password, salt, rounds, &mut out),
        "SHA-512" => pbkdf2::pbkdf2_hmac::<sha2::Sha512>(password, salt, rounds, &mut out),
        _ => return Err("unsupported hash"),
    }
    Ok(out)
}

fn aes(
    encrypt: bool,
    alg: &str,
    key: &[u8],
    iv: &[u8],
    data: &[u8],
    extra: &str,
) -> Result<Vec<u8>, &'static str> {
    macro_rules! by_key {
        ($f:ident) => {
            match key.len() {
                16 => $f::<Aes128>(encrypt, key, iv, data, extra),
                24 => $f::<Aes192>(encrypt, key, iv, data, extra),
                32 => $f::<Aes256>(encrypt, key, iv, data, extra),
                _ => Err("bad key length"),
            }
        };
    }
    match alg.to_ascii_uppercase().as_str() {
        "AES-GCM" => by_key!(gcm),
        "AES-CBC" => by_key!(cbc_mode),
        "AES-CTR" => by_key!(ctr_mode),
        _ => Err("unsupported cipher"),
    }
}

fn gcm<C>(
    encrypt: bool,
    key: &[u8],
    iv: &[u8],
    data: &[u8],
    extra: &str,
) -> Result<Vec<u8>, &'static str>
where
    C: aes::cipher::BlockCipherEncrypt
        + aes::cipher::BlockSizeUser<BlockSize = aes::cipher::consts::U16>
        + aes::cipher::KeyInit,
{
    // WebCrypto allows any IV length: 12 bytes is the usual, 16 the other common one.
    let aad = unhex(extra)?;
    let payload = Payload {
        msg: data,
        aad: &aad,
    };
    macro_rules! with_nonce {
        ($n:ty) => {{
            let nonce = Nonce::<$n>::try_from(iv).map_err(|_| "unsupported IV length")?;
            let c = AesGcm::<C, $n>::new_from_slice(key).map_err(|_| "bad key")?;
            if encrypt {
                c.encrypt(&nonce, payload).map_err(|_| "refused")
            } else {
                c.decrypt(&nonce, payload)
                    .map_err(|_| "the operation failed")
            }
        }};
    }
    match iv.len() {
        16 => with_nonce!(aes::cipher::consts::U16),
        _ => with_nonce!(aes::cipher::consts::U12),
    }
}

fn cbc_mode<C>(
    encrypt: bool,
    key: &[u8],
    iv: &[u8],
    data: &[u8],
    _: &str,
) -> Result<Vec<u8>, &'static str>
where
    C: aes::cipher::BlockCipherEncrypt + aes::cipher::BlockCipherDecrypt + aes::cipher::KeyInit,
    C: aes::cipher::BlockSizeUser<BlockSize = aes::cipher::consts::U16>,
{
    if encrypt {
        let c = cbc::Encryptor::<C>::new_from_slices(key, iv).map_err(|_| "bad key or IV")?;
        Ok(c.encrypt_padded_vec::<Pkcs7>(data))
    } else {
        let c = cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(|_| "bad key or IV")?;
        c.decrypt_padded_vec::<Pkcs7>(data)
            .map_err(|_| "the operation failed")
    }
}

fn ctr_mode<C>(
    _: bool,
    key: &[u8],
    iv: &[u8],
    data: &[u8],
    _: &str,
) -> Result<Vec<u8>, &'static str>
where
    C: aes::cipher::BlockCipherEncrypt + aes::cipher::KeyInit,
    C: aes::cipher::BlockSizeUser<BlockSize = aes::cipher::consts::U16>,
{
    let mut c = ctr::Ctr128BE::<C>::new_from_slices(key, iv).map_err(|_| "bad key or counter")?;
    let mut out = data.to_vec();
    c.apply_keystream(&mut out);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        // FIPS 180-2 "abc".
        assert_eq!(
            run("digest", "SHA-256", "", "", "616263", ""),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // RFC 4231 test case 2.
        assert_eq!(
            run(
                "hmac",
                "SHA-256",
                "4a656665",
                "",
                &hex(b"what do ya want for nothing?"),
                ""
            ),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // RFC 6070 test vector 2 (PBKDF2-HMAC-SHA1, 2 rounds).
        assert_eq!(
            run(
                "pbkdf2",
                "SHA-1",
                &hex(b"password"),
                &hex(b"salt"),
                "",
                "2:160"
            ),
            "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957"
        );
        // NIST SP 800-38A F.2.1 (CBC-AES128), one block, then PKCS#7 padding of its own.
        let key = "2b7e151628aed2a6abf7158809cf4f3c";
        let iv = "000102030405060708090a0b0c0d0e0f";
        let ct = run(
            "encrypt",
            "AES-CBC",
            key,
            iv,
            "6bc1bee22e409f96e93d7e117393172a",
            "",
        );
        assert!(ct.starts_with("7649abac8119b246cee98e9b12e9197d"), "{ct}");
        assert_eq!(
            run("decrypt", "AES-CBC", key, iv, &ct, ""),
            "6bc1bee22e409f96e93d7e117393172a"
        );
        // NIST SP 800-38A F.5.1 (CTR-AES128).
        assert_eq!(
            run(
                "encrypt",
                "AES-CTR",
                key,
                "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
                "6bc1bee22e409f96e93d7e117393172a",
                ""
            ),
            "874d6191b620e3261bef6864990db6ce"
        );
    }

    #[test]
    fn gcm_round_trips_and_refuses_a_forged_tag() {
        let key = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
        let iv = "cafebabefacedbaddecaf888";
        let ct = run(
            "encrypt",
            "AES-GCM",
            key,
            iv,
            &hex(b"https://relay.example/c"),
            "",
        );
        assert_eq!(ct.len(), 2 * (23 + 16));
        assert_eq!(
            run("decrypt", "AES-GCM", key, iv, &ct, ""),
            hex(b"https://relay.example/c")
        );
        let mut forged = ct.clone();
        forged.replace_range(0..2, if &ct[0..2] == "00" { "01" } else { "00" });
        assert!(run("decrypt", "AES-GCM", key, iv, &forged, "").starts_with('!'));
    }

    #[test]
    fn bad_input_is_an_answer_not_a_panic() {
        for (op, alg, key, iv, data, extra) in [
            ("decrypt", "AES-GCM", "00", "", "", ""),
            (
                "decrypt",
                "AES-CBC",
                "2b7e151628aed2a6abf7158809cf4f3c",
                "00",
                "zz",
                "",
            ),
            ("pbkdf2", "SHA-256", "", "", "", "99999999:256"),
            // Allowed rounds, but 26 output blocks of SHA-1 each: too much work at once.
            ("pbkdf2", "SHA-1", "", "", "", "600000:4096"),
            ("pbkdf2", "SHA-256", "", "", "", "x"),
            ("digest", "MD5", "", "", "", ""),
            ("sign", "", "", "", "abc", ""),
        ] {
            assert!(
                run(op, alg, key, iv, data, extra).starts_with('!'),
                "{op} {alg}"
            );
        }
    }
}
