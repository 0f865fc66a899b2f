//! Bytes the stub page decodes for real (`media.js`): loaders hide their second stage in the
//! pixels of a PNG drawn on a canvas (`getImageData`), or compress it and unpack it with
//! `DecompressionStream('deflate-raw')` before running it from a `blob:` URL. A browser does
//! both without a second thought; a stub page that cannot never sees the code that steals.
//!
//! One native function, `__skimscan_media(op, arg, data)`, over hex strings: pure
//! computation, no I/O, bounded input (as `web_crypto.rs`'s) and output (a decompression bomb or a huge image
//! fails as a browser's out-of-memory would, rather than stall the scan). It answers in hex,
//! or `!` and why.

use super::web_crypto::{hex, unhex};
use std::io::{Cursor, Read, Write};

/// Bytes a decompression gives at most (a second stage is kilobytes; a bomb is gigabytes).
const MAX_OUTPUT: usize = 8 << 20;

/// Pixels an image may have (a stego carrier is small; 1 Mpx is 4 MB of RGBA).
const MAX_PIXELS: u64 = 1 << 20;

/// Run one operation. `op`: `decompress` or `compress`, with `arg` the format (`gzip`,
/// `deflate`, `deflate-raw`); or `image`, with `arg` the MIME type, answering
/// `width,height,` followed by the RGBA pixels in hex.
pub fn run(op: &str, arg: &str, data: &str) -> String {
    let answer = (|| -> Result<String, &'static str> {
        let data = unhex(data)?;
        match op {
            "decompress" => decompress(arg, &data).map(|b| hex(&b)),
            "compress" => compress(arg, &data).map(|b| hex(&b)),
            "image" => image(arg, &data),
            _ => Err("unsupported operation"),
        }
    })();
    answer.unwrap_or_else(|why| format!("!{why}"))
}

fn decompress(format: &str, data: &[u8]) -> Result<Vec<u8>, &'static str> {
    let reader: Box<dyn Read + '_> = match format {
        "gzip" => Box::new(flate2::read::MultiGzDecoder::new(data)),
        "deflate" => Box::new(flate2::read::ZlibDecoder::new(data)),
        "deflate-raw" => Box::new(flate2::read::DeflateDecoder::new(data)),
        _ => return Err("unsupported format"),
    };
    let mut out = Vec::new();
    reader
        .take(MAX_OUTPUT as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|_| "corrupt data")?;
    if out.len() > MAX_OUTPUT {
        return Err("too large");
    }
    Ok(out)
}

fn compress(format: &str, data: &[u8]) -> Result<Vec<u8>, &'static str> {
    let level = flate2::Compression::default();
    let done = match format {
        "gzip" => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), level);
            e.write_all(data).and_then(|_| e.finish())
        }
        "deflate" => {
            let mut e = flate2::write::ZlibEncoder::new(Vec::new(), level);
            e.write_all(data).and_then(|_| e.finish())
        }
        "deflate-raw" => {
            let mut e = flate2::write::DeflateEncoder::new(Vec::new(), level);
            e.write_all(data).and_then(|_| e.finish())
        }
        _ => return Err("unsupported format"),
    };
    done.map_err(|_| "compression failed")
}

/// A PNG's pixels as RGBA, whatever its colour type and depth (what `getImageData` gives
/// after `drawImage`). Other formats are not decoded: lossy ones cannot carry a payload
/// bit-exactly, and the loaders seen use PNG.
fn image(mime: &str, data: &[u8]) -> Result<String, &'static str> {
    if !data.starts_with(b"\x89PNG\r\n\x1a\n") {
        return Err(if mime.contains("png") {
            "corrupt image"
        } else {
            "unsupported image"
        });
    }
    let limits = png::Limits {
        bytes: (MAX_PIXELS * 8) as usize,
    };
    let mut decoder = png::Decoder::new_with_limits(Cursor::new(data), limits);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().map_err(|_| "corrupt image")?;
    let (w, h) = reader.info().size();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err("too large");
    }
    let size = reader.output_buffer_size().ok_or("too large")?;
    let mut buf = vec![0u8; size];
    let frame = reader.next_frame(&mut buf).map_err(|_| "corrupt image")?;
    let rows = &buf[..frame.buffer_size()];
    let mut rgba = Vec::with_capacity(w as usize * h as usize * 4);
    for row in rows.chunks(frame.line_size).take(h as usize) {
        let px = &row[..(w as usize * frame.color_type.samples()).min(row.len())];
        match frame.color_type {
            png::ColorType::Rgba => rgba.extend_from_slice(px),
            png::ColorType::Rgb => px
                .chunks(3)
                .for_each(|p| rgba.extend_from_slice(&[p[0], p[1], p[2], 255])),
            png::ColorType::GrayscaleAlpha => px
                .chunks(2)
                .for_each(|p| rgba.extend_from_slice(&[p[0], p[0], p[0], p[1]])),
            png::ColorType::Grayscale => px
                .iter()
                .for_each(|&g| rgba.extend_from_slice(&[g, g, g, 255])),
            // `EXPAND` turns a palette into RGB(A); an image that stays indexed is not one
            // this decoder understood.
            png::ColorType::Indexed => return Err("corrupt image"),
        }
    }
    Ok(format!("{w},{h},{}", hex(&rgba)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex_ok(s: &str) -> Vec<u8> {
        unhex(s).expect("hex")
    }

    #[test]
    fn round_trips_every_format() {
        let text = b"var u='https://collector.example/c';";
        for f in ["gzip", "deflate", "deflate-raw"] {
            let packed = run("compress", f, &hex(text));
            assert!(!packed.starts_with('!'), "{f}: {packed}");
            let back = run("decompress", f, &packed);
            assert_eq!(unhex_ok(&back), text, "{f}");
        }
    }

    #[test]
    fn refuses_bombs_and_garbage() {
        let zeros = vec![0u8; MAX_OUTPUT + 10];
        let bomb = compress("deflate-raw", &zeros).expect("compress");
        assert_eq!(run("decompress", "deflate-raw", &hex(&bomb)), "!too large");
        assert_eq!(run("decompress", "gzip", "00ff"), "!corrupt data");
        assert_eq!(run("decompress", "brotli", "00"), "!unsupported format");
        assert_eq!(run("decompress", "gzip", "0"), "!odd hex");
    }

    #[test]
    fn decodes_png_pixels_as_rgba() {
        // A 2×1 RGB image: (1,2,3) and (250,251,252).
        let mut png_bytes = Vec::new();
        {
            let mut enc = png::Encoder::new(&mut png_bytes, 2, 1);
            enc.set_color(png::ColorType::Rgb);
            enc.set_depth(png::BitDepth::Eight);
            let mut w = enc.write_header().expect("header");
            w.write_image_data(&[1, 2, 3, 250, 251, 252]).expect("data");
        }
        let out = run("image", "image/png", &hex(&png_bytes));
        assert_eq!(
            out,
            format!("2,1,{}", hex(&[1, 2, 3, 255, 250, 251, 252, 255]))
        );
        assert_eq!(run("image", "image/png", "00"), "!corrupt image");
        assert_eq!(run("image", "image/jpeg", "ffd8ff"), "!unsupported image");
    }
}
