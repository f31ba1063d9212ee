//! Seam's pagination at the edge: `limit` and the opaque `page_cursor` in, the `pagination`
//! object out (`has_next_page`, `next_page_cursor`, `next_page_url`, all three always
//! present). Cursors are offsets, base64-encoded.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::input::Input;
use super::params::{Cx, Param};
use crate::store::workspace::Page;

/// Largest page a list returns.
pub const MAX_PAGE: usize = 1000;

/// The page size lists use when `limit` is absent.
pub const DEFAULT_PAGE: usize = 500;

/// `limit`: a whole number from 1; larger than [`MAX_PAGE`] reads as [`MAX_PAGE`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit(pub usize);

impl Param for Limit {
    const EXPECTED: &'static str = "number";

    fn parse(v: Value, cx: &mut Cx<'_>) -> Option<Self> {
        let n = f64::parse(v, cx)?;
        if n.fract() != 0.0 {
            cx.issue("Expected integer, received float");
            None
        } else if n < 1.0 {
            cx.issue("Number must be greater than 0");
            None
        } else {
            Some(Limit((n as usize).min(MAX_PAGE)))
        }
    }
}

/// The schema of `limit` (fields of this type say `schema_with = limit_schema`).
pub fn limit_schema() -> utoipa::openapi::schema::ObjectBuilder {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
        .minimum(Some(1))
        .description(Some(
            "How many to return at most (default 500; more than 1000 reads as 1000).",
        ))
}

/// `page_cursor`: where the page starts, as this server wrote it in `next_page_cursor`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PageCursor(pub usize);

impl Param for PageCursor {
    const EXPECTED: &'static str = "string";

    fn parse(v: Value, cx: &mut Cx<'_>) -> Option<Self> {
        let s = String::parse(v, cx)?;
        let offset = decode_cursor(&s);
        if offset.is_none() {
            cx.issue("Invalid page_cursor");
        }
        offset.map(PageCursor)
    }
}

impl PageCursor {
    /// The cursor of the page starting at `offset`, as clients send it back.
    pub fn encode(offset: usize) -> String {
        encode_cursor(offset)
    }
}

/// Where a page starts and how long it is.
#[derive(Clone, Copy, Debug)]
pub struct PageArgs {
    pub offset: usize,
    pub limit: usize,
}

impl PageArgs {
    /// From the parsed `limit` and `page_cursor`, with the list's default size.
    pub fn new(limit: Option<Limit>, cursor: Option<PageCursor>, default_limit: usize) -> Self {
        PageArgs {
            offset: cursor.map_or(0, |c| c.0),
            limit: limit.map_or(default_limit, |l| l.0),
        }
    }
}

fn encode_cursor(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("offset:{offset}"))
}

fn decode_cursor(c: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(c).ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix("offset:")?
        .parse()
        .ok()
}

/// Seam's `pagination` object: all three keys always present.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Pagination {
    /// Whether another page follows.
    pub has_next_page: bool,
    /// Send it as `page_cursor` for the next page; `null` on the last page.
    #[schema(required = true)]
    pub next_page_cursor: Option<String>,
    /// This request again with the next cursor; `null` on the last page.
    #[schema(required = true, format = "uri")]
    pub next_page_url: Option<String>,
}

impl Pagination {
    /// The `pagination` of `page`; `next_page_url` repeats the request with the next cursor.
    pub fn of<T>(page: &Page<T>, input: &Input) -> Self {
        let cursor = page.next_offset.map(encode_cursor);
        let url = cursor.as_ref().map(|c| {
            let mut q = form_urlencoded::Serializer::new(String::new());
            if let Some(raw) = input.raw_query() {
                for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
                    if k != "page_cursor" {
                        q.append_pair(&k, &v);
                    }
                }
            }
            q.append_pair("page_cursor", c);
            let host = input.host().unwrap_or("localhost");
            format!("http://{host}{}?{}", input.path(), q.finish())
        });
        Pagination {
            has_next_page: cursor.is_some(),
            next_page_cursor: cursor,
            next_page_url: url,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::http::params::field;
    use serde_json::json;

    #[test]
    fn limits_are_whole_numbers_from_one_capped_at_the_largest_page() {
        let mut i = Input::from_json(
            json!({"l": 0, "m": 2.5, "n": 5000, "o": 3})
                .as_object()
                .unwrap()
                .clone(),
        );
        assert_eq!(field::<Option<Limit>>(&mut i, "l"), None);
        assert_eq!(field::<Option<Limit>>(&mut i, "m"), None);
        assert_eq!(field::<Limit>(&mut i, "n"), Some(Limit(MAX_PAGE)));
        assert_eq!(field::<Limit>(&mut i, "o"), Some(Limit(3)));
        let body = i.finish().unwrap_err().body();
        assert_eq!(
            body["validation_errors"]["l"]["_errors"],
            json!(["Number must be greater than 0"])
        );
        assert_eq!(
            body["validation_errors"]["m"]["_errors"],
            json!(["Expected integer, received float"])
        );
        let mut q = Input::from_query_string("limit=3&page_cursor=junk");
        assert_eq!(field::<Limit>(&mut q, "limit"), Some(Limit(3)));
        assert_eq!(field::<Option<PageCursor>>(&mut q, "page_cursor"), None);
        assert!(q.finish().is_err());
    }

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        assert_eq!(decode_cursor(&encode_cursor(42)), Some(42));
        assert_eq!(decode_cursor("not-a-cursor"), None);
        assert_eq!(decode_cursor(&URL_SAFE_NO_PAD.encode("offset:x")), None);
    }
}
