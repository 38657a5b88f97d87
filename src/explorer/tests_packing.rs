//! Tests of how the explorer's documents are held: compressed blobs, the shelf of chunks,
//! and when an answer may be gzip.

use serde_json::json;

use super::packed::{Blob, Packed, Shelf, accepts_gzip};

#[test]
fn blobs_round_trip_through_compression_and_shrink() {
    let json: Vec<u8> = (0..400)
        .flat_map(|i| {
            format!(r#"{{"ContactId":{i},"Name":"Contact {i}","Emails":[]}},"#).into_bytes()
        })
        .collect();
    let blob = Blob::new(&json);
    assert!(!blob.is_compressed());
    assert_eq!(blob.bytes().expect("inflates"), json);
    let fast = blob.held_len();
    assert!(fast < json.len() / 4, "{fast} of {}", json.len());
    blob.compress();
    assert!(blob.is_compressed());
    assert_eq!(blob.bytes().expect("inflates"), json);
    assert!(blob.held_len() <= fast, "{} after {fast}", blob.held_len());
    let gz = blob.gzip();
    let mut inflated = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gz[..]), &mut inflated)
        .expect("a gzip stream any client reads");
    assert_eq!(inflated, json);
    blob.compress();
    assert_eq!(blob.bytes().expect("compressing twice is a no-op"), json);
    let empty = Blob::new(b"");
    empty.compress();
    assert_eq!(empty.bytes().expect("inflates"), b"".as_slice());
    let a = Packed::json(&json!({"x": 1}));
    assert_eq!(a.etag(), Packed::json(&json!({"x": 1})).etag());
    assert_ne!(a.etag(), Packed::json(&json!({"x": 2})).etag());
}

#[test]
fn shelves_hold_many_documents_in_few_chunks_and_give_each_back() {
    let docs: Vec<(String, Vec<u8>)> = (0..40)
        .map(|i| {
            let doc =
                json!({"id": i, "schema": {"properties": {"ContactId": {"type": "integer"}}}});
            (format!("op{i}"), serde_json::to_vec(&doc).expect("json"))
        })
        .collect();
    let shelf = Shelf::build(&docs, 16, |(name, doc)| (name.clone(), doc.clone()));
    assert_eq!(shelf.len(), 40);
    assert_eq!(shelf.blobs().count(), 3);
    let check = |shelf: &Shelf| {
        for (name, doc) in &docs {
            let (back, tag) = shelf.get(name).expect("listed").expect("reads");
            assert_eq!(&back[..], &doc[..], "{name}");
            assert_eq!(shelf.etag(name), Some(tag));
        }
        assert!(shelf.get("nope").is_none());
    };
    check(&shelf);
    let raw: usize = docs.iter().map(|(_, d)| d.len()).sum();
    shelf.blobs().for_each(|b| b.compress());
    check(&shelf);
    let alone: usize = docs
        .iter()
        .map(|(_, d)| {
            let blob = Blob::new(d);
            blob.compress();
            blob.held_len()
        })
        .sum();
    assert!(
        shelf.held_len() * 3 < alone,
        "{} vs {alone}",
        shelf.held_len()
    );
    assert!(shelf.held_len() * 4 < raw, "{} of {raw}", shelf.held_len());
    let empty = Shelf::build(&docs[..0], 16, |(n, d)| (n.clone(), d.clone()));
    assert_eq!(empty.len(), 0);
}

#[test]
fn gzip_is_accepted_unless_refused() {
    assert!(accepts_gzip("gzip, deflate, br"));
    assert!(accepts_gzip("br;q=1.0, gzip;q=0.8"));
    assert!(accepts_gzip("*"));
    assert!(!accepts_gzip("gzip;q=0"));
    assert!(!accepts_gzip("identity"));
    assert!(!accepts_gzip(""));
}
