//! Requests parsed once. Each operation declares its parameters as one struct with the
//! [`request!`](crate::request) macro: the same struct is its OpenAPI schema (`ToSchema`) and
//! what its handler receives ([`Params`]), so a field that is documented is a field that is
//! parsed, and the other way round.
//!
//! Every field type implements [`Param`]: it turns one JSON value (or query-string text) into a
//! typed value — ids, timestamps, PINs, enums — recording zod-style issues (`Expected array,
//! received number`, `Required`, `Invalid datetime`, …) instead of stopping, so one answer
//! lists every problem of the request.

use axum::extract::{FromRequest, Request};
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use utoipa::PartialSchema;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{Schema, SchemaType, Type};
use uuid::Uuid;

use super::input::{Input, expected};
use crate::domain::command::DeviceIds;
use crate::domain::pin::Pin;
use crate::domain::timestamp;
use crate::error::{Error, Issue};

/// Where one value sits in the request (`["device_ids", "1"]`) and where its problems go.
/// The path is kept as the field's name and the array indices below it, and written out as
/// text only when a problem is recorded (a request reads a dozen fields, most of them absent).
pub struct Cx<'a> {
    /// Query-string values are text and are read leniently (`"true"`, `"4"`, `key=`).
    pub from_query: bool,
    pub issues: &'a mut Vec<Issue>,
    key: &'a str,
    indices: Vec<usize>,
}

impl<'a> Cx<'a> {
    /// The context of the top-level field `key`.
    pub fn new(from_query: bool, issues: &'a mut Vec<Issue>, key: &'a str) -> Self {
        Cx {
            from_query,
            issues,
            key,
            indices: Vec::new(),
        }
    }

    /// The current path, as issues name it (`["device_ids", "1"]`).
    pub fn path(&self) -> Vec<String> {
        let mut path = Vec::with_capacity(1 + self.indices.len());
        path.push(self.key.to_string());
        path.extend(self.indices.iter().map(usize::to_string));
        path
    }

    /// Runs `f` one level down, at item `i` of the current array.
    pub fn at<T>(&mut self, i: usize, f: impl FnOnce(&mut Self) -> T) -> T {
        self.indices.push(i);
        let out = f(self);
        self.indices.pop();
        out
    }

    /// Records a problem at the current path.
    pub fn issue(&mut self, message: impl Into<String>) {
        let path = self.path();
        self.issues.push(Issue::new(path, message));
    }

    /// Records `Expected <what>, received <type of got>` and gives nothing.
    pub fn expected<T>(&mut self, what: &str, got: &Value) -> Option<T> {
        self.issue(expected(what, got));
        None
    }
}

/// Reads field `key` of `input` as `T`: its absent value when missing or null (an empty query
/// value is null for scalars), else the parsed value; `None` when a problem was recorded.
pub fn field<T: Param>(input: &mut Input, key: &str) -> Option<T> {
    let value = input.take(key, T::EMPTY_QUERY_IS_NULL);
    let from_query = input.from_query();
    let mut cx = Cx::new(from_query, input.issues_mut(), key);
    match value {
        Some(Value::Null) => T::absent().or_else(|| cx.expected(T::EXPECTED, &Value::Null)),
        None => T::absent().or_else(|| {
            cx.issue("Required");
            None
        }),
        Some(v) => T::parse(v, &mut cx),
    }
}

/// A type one request field can be parsed into.
pub trait Param: Sized {
    /// What zod calls the expected type (`string`, `array`, …), for `Expected X, received null`.
    const EXPECTED: &'static str;
    /// Whether an empty query value (`key=`) means null (scalars) rather than a value (arrays,
    /// where it is `[]`).
    const EMPTY_QUERY_IS_NULL: bool = true;

    /// The value of an absent or null field; `None` makes the field required.
    fn absent() -> Option<Self> {
        None
    }

    /// Parses a present, non-null value, or records why not.
    fn parse(v: Value, cx: &mut Cx<'_>) -> Option<Self>;
}

impl<T: Param> Param for Option<T> {
    const EXPECTED: &'static str = T::EXPECTED;
    const EMPTY_QUERY_IS_NULL: bool = T::EMPTY_QUERY_IS_NULL;

    fn absent() -> Option<Self> {
        Some(None)
    }

    fn parse(v: Value, cx: &mut Cx<'_>) -> Option<Self> {
        T::parse(v, cx).map(Some)
    }
}

impl Param for String {
    const EXPECTED: &'static str = "string";

    fn parse(v: Value, cx: &mut Cx<'_>) -> Option<Self> {
        match v {
            Value::String(s) => Some(s),
            other => cx.expected("string", &other),
        }
    }
}

impl Param for bool {
    const EXPECTED: &'static str = "boolean";

    fn parse(v: Value, cx: &mut Cx<'_>) -> Option<Self> {
        match v {
            Value::Bool(b) => Some(b),
            Value::String(s) if cx.from_query && (s == "true" || s == "false") => Some(s == "true"),
            other => cx.expected("boolean", &other),
        }
    }
}

impl Param for f64 {
    const EXPECTED: &'static str = "number";

    fn parse(v: Value, cx: &mut Cx<'_>) -> Option<Self> {
        match v {
            Value::Number(n) => n.as_f64(),
            Value::String(s) if cx.from_query => match s.trim().parse::<f64>() {
                Ok(n) if n.is_finite() => Some(n),
                _ => {
                    cx.issue("Expected number, received nan");
                    None
                }
            },
            other => cx.expected("number", &other),
        }
    }
}

impl<T: Param> Param for Vec<T> {
    const EXPECTED: &'static str = "array";
    const EMPTY_QUERY_IS_NULL: bool = false;

    /// In a query string a single value is a one-item array and an empty value the empty
    /// array; items are checked one by one, each problem under its index.
    fn parse(v: Value, cx: &mut Cx<'_>) -> Option<Self> {
        let items = match v {
            Value::Array(items) => items,
            Value::String(s) if cx.from_query && s.is_empty() => return Some(Vec::new()),
            Value::String(s) if cx.from_query => vec![Value::String(s)],
            other => return cx.expected("array", &other),
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.into_iter().enumerate() {
            let parsed = cx.at(i, |cx| match item {
                Value::Null => cx.expected(T::EXPECTED, &Value::Null),
                item => T::parse(item, cx),
            });
            match parsed {
                Some(p) => out.push(p),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
}

impl Param for Map<String, Value> {
    const EXPECTED: &'static str = "object";

    fn parse(v: Value, cx: &mut Cx<'_>) -> Option<Self> {
        match v {
            Value::Object(m) => Some(m),
            other => cx.expected("object", &other),
        }
    }
}

impl Param for DateTime<Utc> {
    const EXPECTED: &'static str = "string";

    fn parse(v: Value, cx: &mut Cx<'_>) -> Option<Self> {
        let s = String::parse(v, cx)?;
        let t = timestamp::parse(&s);
        if t.is_none() {
            cx.issue("Invalid datetime");
        }
        t
    }
}

impl Param for Uuid {
    const EXPECTED: &'static str = "string";

    fn parse(v: Value, cx: &mut Cx<'_>) -> Option<Self> {
        let s = String::parse(v, cx)?;
        let id = Uuid::try_parse(&s).ok();
        if id.is_none() {
            cx.issue("Invalid uuid");
        }
        id
    }
}

impl Param for Pin {
    const EXPECTED: &'static str = "string";

    fn parse(v: Value, cx: &mut Cx<'_>) -> Option<Self> {
        let s = String::parse(v, cx)?;
        match Pin::parse(&s) {
            Ok(p) => Some(p),
            Err(msg) => {
                cx.issue(msg);
                None
            }
        }
    }
}

/// The id of one thing to read or change. A malformed id names nothing, so it answers the
/// thing's 404 rather than a 400 (the official SDK suites expect `device_not_found` for
/// `device_id: "unknown-device"`); `raw` keeps the text for the error's `data`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupId {
    pub raw: String,
    pub id: Option<Uuid>,
}

impl LookupId {
    /// The id, or `not_found` when the text is no UUID.
    pub fn or(&self, not_found: impl FnOnce(String) -> Error) -> Result<Uuid, Error> {
        self.id.ok_or_else(|| not_found(self.raw.clone()))
    }

    /// Ids in a filter: a malformed one matches nothing, so it is left out.
    pub fn valid(ids: &[LookupId]) -> Vec<Uuid> {
        ids.iter().filter_map(|i| i.id).collect()
    }
}

impl Param for LookupId {
    const EXPECTED: &'static str = "string";

    fn parse(v: Value, cx: &mut Cx<'_>) -> Option<Self> {
        let raw = String::parse(v, cx)?;
        Some(LookupId {
            id: Uuid::try_parse(&raw).ok(),
            raw,
        })
    }
}

impl utoipa::PartialSchema for LookupId {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::schema::SchemaFormat::KnownFormat(
                utoipa::openapi::schema::KnownFormat::Uuid,
            )))
            .into()
    }
}

impl utoipa::ToSchema for LookupId {}

/// `device_ids` of create_multiple: UUIDs (Seam's `string<uuid>[]`: a malformed one is a 400
/// naming its index), at least one, none twice — the domain's rule, reported with the other
/// fields' problems.
impl Param for DeviceIds {
    const EXPECTED: &'static str = "array";
    const EMPTY_QUERY_IS_NULL: bool = false;

    fn parse(v: Value, cx: &mut Cx<'_>) -> Option<Self> {
        let ids: Vec<Uuid> = Vec::parse(v, cx)?;
        match DeviceIds::new(ids) {
            Ok(ids) => Some(ids),
            Err(issue) => {
                cx.issue(issue.message);
                None
            }
        }
    }
}

/// A fixed set of names, parsed through the type's own serde names; the names for the error
/// message come from its schema, which reads the same serde attributes.
pub trait WireEnum: DeserializeOwned + utoipa::PartialSchema {}

impl WireEnum for crate::domain::create_multiple::Behavior {}
impl WireEnum for crate::domain::access_code::CodeType {}
impl WireEnum for crate::domain::offline::MaxTimeRounding {}
impl WireEnum for crate::domain::action_attempt::AttemptStatus {}
impl WireEnum for crate::domain::provider::ProviderCategory {}

/// The names of an enum's schema, in order.
fn enum_names<T: utoipa::PartialSchema>() -> Vec<String> {
    let schema = serde_json::to_value(T::schema()).unwrap_or(Value::Null);
    let mut names = Vec::new();
    let mut collect = |node: &Value| {
        if let Some(Value::Array(vals)) = node.get("enum") {
            names.extend(vals.iter().filter_map(|v| v.as_str().map(str::to_string)));
        }
    };
    collect(&schema);
    for key in ["oneOf", "anyOf"] {
        if let Some(Value::Array(alts)) = schema.get(key) {
            alts.iter().for_each(&mut collect);
        }
    }
    names
}

impl<T: WireEnum> Param for T {
    const EXPECTED: &'static str = "string";

    fn parse(v: Value, cx: &mut Cx<'_>) -> Option<Self> {
        let s = String::parse(v, cx)?;
        match serde_json::from_value(Value::String(s.clone())) {
            Ok(e) => Some(e),
            Err(_) => {
                let list = enum_names::<T>()
                    .iter()
                    .map(|o| format!("'{o}'"))
                    .collect::<Vec<_>>()
                    .join(" | ");
                cx.issue(format!(
                    "Invalid enum value. Expected {list}, received '{s}'"
                ));
                None
            }
        }
    }
}

/// Records a problem unless `n` is a whole number within `min..=max`.
pub(crate) fn whole(issues: &mut Vec<Issue>, field: &str, n: Option<f64>, min: f64, max: f64) {
    let Some(n) = n else { return };
    let problem = if n.fract() != 0.0 {
        "Expected integer, received float".to_string()
    } else if n < min {
        format!("Number must be greater than or equal to {min}")
    } else if n > max {
        format!("Number must be less than or equal to {max}")
    } else {
        return;
    };
    issues.push(Issue::new(vec![field.into()], problem));
}

/// What a request struct does: build itself from the fields of an [`Input`], recording every
/// problem; [`check`](Self::check) then adds the rules between fields.
pub trait FromInput: Sized {
    /// Reads every declared field (the `request!` macro writes it).
    fn read(input: &mut Input) -> Option<Self>;

    /// Rules across fields (`device_id` or `name`), run only when every field parsed.
    fn check(&self, _issues: &mut Vec<Issue>) {}

    /// The whole parse: the struct, or `invalid_input` listing every problem.
    fn from_input(input: &mut Input) -> Result<Self, Error> {
        let value = Self::read(input);
        if let Some(v) = &value {
            v.check(input.issues_mut());
        }
        input.finish()?;
        value.ok_or_else(|| Error::Internal("a request parsed without issues is complete".into()))
    }
}

/// Declares one operation's parameters: a struct that derives `ToSchema` (its schema in the
/// document) and implements [`FromInput`] by reading each field under its own name (a raw
/// identifier such as `r#type` reads `type`). An optional `check(req, issues) { … }` after the
/// struct adds the rules between fields.
///
/// Fields several operations share are declared once, as a `request!` struct of their own,
/// and named last with `..`: `..pub settings: SettingsFields` gives the struct a `settings`
/// field of that type, read from the same request and documented as the group's fields listed
/// after the struct's own, as if written there. In such a struct each field's doc comment comes
/// before its `#[schema(…)]`.
#[macro_export]
macro_rules! request {
    (
        $(#[doc = $doc:literal])*
        $(#[schema $sattr:tt])*
        $vis:vis struct $name:ident {
            $(
                $(#[doc = $fdoc:literal])*
                $(#[schema $fattr:tt])*
                $fvis:vis $field:ident : $ty:ty,
            )*
            ..$gvis:vis $group:ident : $gty:ty $(,)?
        }
        $(check($req:ident, $issues:ident) $check:block)?
    ) => {
        $(#[doc = $doc])*
        #[derive(Debug)]
        $vis struct $name {
            $(
                $(#[doc = $fdoc])*
                $fvis $field: $ty,
            )*
            $gvis $group: $gty,
        }

        const _: () = {
            $crate::request! {
                $(#[doc = $doc])*
                $(#[schema $sattr])*
                struct Own {
                    $(
                        $(#[doc = $fdoc])*
                        $(#[schema $fattr])*
                        $field: $ty,
                    )*
                }
            }

            impl $crate::http::params::FromInput for $name {
                fn read(input: &mut $crate::http::input::Input) -> Option<Self> {
                    let own = <Own as $crate::http::params::FromInput>::read(input);
                    let group = <$gty as $crate::http::params::FromInput>::read(input);
                    let (own, group) = (own?, group?);
                    Some(Self { $($field: own.$field,)* $group: group })
                }

                fn check(&self, issues: &mut Vec<$crate::error::Issue>) {
                    $crate::http::params::FromInput::check(&self.$group, issues);
                    $(
                        let $req = self;
                        let $issues = issues;
                        $check
                    )?
                }
            }

            impl utoipa::PartialSchema for $name {
                fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                    $crate::http::params::flatten(
                        <Own as utoipa::PartialSchema>::schema(),
                        <$gty as utoipa::PartialSchema>::schema(),
                    )
                }
            }

            impl utoipa::ToSchema for $name {
                fn name() -> std::borrow::Cow<'static, str> {
                    std::borrow::Cow::Borrowed(stringify!($name))
                }

                fn schemas(
                    schemas: &mut Vec<(
                        String,
                        utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
                    )>,
                ) {
                    <Own as utoipa::ToSchema>::schemas(schemas);
                    <$gty as utoipa::ToSchema>::schemas(schemas);
                }
            }
        };
    };
    (
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $fvis:vis $field:ident : $ty:ty
            ),* $(,)?
        }
        $(check($req:ident, $issues:ident) $check:block)?
    ) => {
        #[derive(Debug, utoipa::ToSchema)]
        $(#[$meta])*
        $vis struct $name {
            $(
                $(#[$fmeta])*
                $fvis $field: $ty,
            )*
        }

        impl $crate::http::params::FromInput for $name {
            fn read(input: &mut $crate::http::input::Input) -> Option<Self> {
                $(
                    let $field = $crate::http::params::field::<$ty>(input, {
                        let name = stringify!($field);
                        name.strip_prefix("r#").unwrap_or(name)
                    });
                )*
                Some(Self { $($field: $field?,)* })
            }

            $(
                fn check(&self, $issues: &mut Vec<$crate::error::Issue>) {
                    let $req = self;
                    $check
                }
            )?
        }
    };
}

/// The schema of a request with a shared field group (`..group` in [`request!`]): its own
/// properties, then the group's, with both lists of required names; one object, as if the
/// fields were written in one struct.
pub fn flatten(own: RefOr<Schema>, group: RefOr<Schema>) -> RefOr<Schema> {
    match (own, group) {
        (RefOr::T(Schema::Object(mut own)), RefOr::T(Schema::Object(group))) => {
            own.properties.extend(group.properties);
            own.required.extend(group.required);
            RefOr::T(Schema::Object(own))
        }
        _ => unreachable!("request! structs derive object schemas"),
    }
}

/// What every field Seam takes but the mock ignores says in the document.
pub const ACCEPTED: &str = "Accepted; changes nothing here.";

/// The schema of such a field (`#[schema(schema_with = accepted::<bool>)]` on an
/// `Option<bool>`): `T` or null, described by [`ACCEPTED`].
pub fn accepted<T: PartialSchema>() -> RefOr<Schema> {
    let mut schema = T::schema();
    if let RefOr::T(Schema::Object(o)) = &mut schema {
        if let SchemaType::Type(t) = &o.schema_type {
            o.schema_type = SchemaType::from_iter([t.clone(), Type::Null]);
        }
        o.description = Some(ACCEPTED.to_string());
    }
    schema
}

/// Merges a singular filter field into its plural list (`device_id` joins `device_ids`).
pub fn one_or_many<T>(many: Option<Vec<T>>, one: Option<T>) -> Option<Vec<T>> {
    match (many, one) {
        (many, None) => many,
        (many, Some(one)) => {
            let mut list = many.unwrap_or_default();
            list.push(one);
            Some(list)
        }
    }
}

/// The extractor: the request's parameters as `T`, or `invalid_input` with every problem.
pub struct Params<T>(pub T);

impl<S: Send + Sync, T: FromInput> FromRequest<S> for Params<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut input = Input::from_request(req, state).await?;
        T::from_input(&mut input).map(Params)
    }
}

/// A request's parameters together with where it came from (lists need the query string and
/// host for `next_page_url`).
pub struct WithInput<T> {
    pub params: T,
    pub input: Input,
}

impl<S: Send + Sync, T: FromInput> FromRequest<S> for WithInput<T> {
    type Rejection = Error;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let mut input = Input::from_request(req, state).await?;
        let params = T::from_input(&mut input)?;
        Ok(WithInput { params, input })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::domain::create_multiple::Behavior;

    fn q(s: &str) -> Input {
        Input::from_query_string(s)
    }

    fn j(v: Value) -> Input {
        Input::from_json(v.as_object().unwrap().clone())
    }

    #[test]
    fn query_strings_follow_the_sdk_conventions() {
        let mut i = q("device_ids=&device_type=&limit=3&is_x=true&one=a");
        assert_eq!(
            field::<Option<Vec<String>>>(&mut i, "device_ids"),
            Some(Some(vec![]))
        );
        assert_eq!(field::<Option<String>>(&mut i, "device_type"), Some(None));
        assert_eq!(field::<Option<f64>>(&mut i, "limit"), Some(Some(3.0)));
        assert_eq!(field::<Option<bool>>(&mut i, "is_x"), Some(Some(true)));
        assert_eq!(
            field::<Option<Vec<String>>>(&mut i, "one"),
            Some(Some(vec!["a".to_string()]))
        );
        i.finish().unwrap();
    }

    #[test]
    fn type_mismatches_read_like_zod() {
        let mut i = j(json!({"device_ids": 4242, "name": 5, "flag": "yes", "code": null}));
        assert_eq!(field::<Option<Vec<String>>>(&mut i, "device_ids"), None);
        assert_eq!(field::<Option<String>>(&mut i, "name"), None);
        assert_eq!(field::<Option<bool>>(&mut i, "flag"), None);
        assert_eq!(field::<Option<String>>(&mut i, "code"), Some(None));
        assert_eq!(field::<String>(&mut i, "device_id"), None);
        let err = i.finish().unwrap_err();
        let body = err.body();
        assert_eq!(
            body["validation_errors"]["device_ids"]["_errors"],
            json!(["Expected array, received number"])
        );
        assert_eq!(
            body["validation_errors"]["name"]["_errors"],
            json!(["Expected string, received number"])
        );
        assert_eq!(
            body["validation_errors"]["flag"]["_errors"],
            json!(["Expected boolean, received string"])
        );
        assert_eq!(
            body["validation_errors"]["device_id"]["_errors"],
            json!(["Required"])
        );
        assert!(err.to_string().starts_with("4 Input Errors: "), "{err}");
    }

    #[test]
    fn a_required_field_sent_as_null_names_its_type() {
        let mut i = j(json!({"device_ids": null, "name": null}));
        assert_eq!(field::<Vec<String>>(&mut i, "device_ids"), None);
        assert_eq!(field::<String>(&mut i, "name"), None);
        let body = i.finish().unwrap_err().body();
        assert_eq!(
            body["validation_errors"]["device_ids"]["_errors"],
            json!(["Expected array, received null"])
        );
        assert_eq!(
            body["validation_errors"]["name"]["_errors"],
            json!(["Expected string, received null"])
        );
    }

    #[test]
    fn array_items_are_checked_one_by_one() {
        let mut i = j(json!({"device_ids": ["a", 1, null]}));
        assert_eq!(field::<Option<Vec<String>>>(&mut i, "device_ids"), None);
        let body = i.finish().unwrap_err().body();
        assert_eq!(
            body["validation_errors"]["device_ids"]["1"]["_errors"],
            json!(["Expected string, received number"])
        );
        assert_eq!(
            body["validation_errors"]["device_ids"]["2"]["_errors"],
            json!(["Expected string, received null"])
        );
    }

    #[test]
    fn enums_and_timestamps() {
        let mut i = j(json!({"b": "sometimes", "t": "soon", "ok": "throw"}));
        assert_eq!(field::<Option<Behavior>>(&mut i, "b"), None);
        assert_eq!(field::<Option<DateTime<Utc>>>(&mut i, "t"), None);
        assert_eq!(field::<Behavior>(&mut i, "ok"), Some(Behavior::Throw));
        let body = i.finish().unwrap_err().body();
        assert_eq!(
            body["validation_errors"]["b"]["_errors"],
            json!([
                "Invalid enum value. Expected 'throw' | 'create_random_code', received 'sometimes'"
            ])
        );
        assert_eq!(
            body["validation_errors"]["t"]["_errors"],
            json!(["Invalid datetime"])
        );
    }

    fn cx(issues: &mut Vec<Issue>) -> Cx<'_> {
        Cx::new(false, issues, "f")
    }

    #[test]
    fn an_issue_names_the_field_and_the_indices_below_it() {
        let mut issues = Vec::new();
        let mut c = cx(&mut issues);
        c.at(2, |c| c.at(0, |c| c.issue("deep")));
        c.issue("top");
        assert_eq!(issues[0].path, ["f", "2", "0"]);
        assert_eq!(issues[1].path, ["f"]);
    }

    fn ids(raw: &[&str]) -> Vec<LookupId> {
        let mut issues = Vec::new();
        Vec::<LookupId>::parse(json!(raw), &mut cx(&mut issues)).unwrap()
    }

    #[test]
    fn malformed_filter_ids_match_nothing_rather_than_everything() {
        let a = Uuid::from_u128(7);
        assert_eq!(LookupId::valid(&ids(&["nope"])), Vec::<Uuid>::new());
        let upper = a.to_string().to_uppercase();
        assert_eq!(LookupId::valid(&ids(&["nope", &upper])), vec![a]);
    }

    #[test]
    fn a_malformed_single_id_is_not_found() {
        let nope = &ids(&["nope"])[0];
        assert!(
            matches!(nope.or(Error::DeviceNotFound), Err(Error::DeviceNotFound(raw)) if raw == "nope")
        );
        let three = &ids(&[&Uuid::from_u128(3).to_string()])[0];
        assert_eq!(three.or(Error::DeviceNotFound).unwrap(), Uuid::from_u128(3));
        assert!(matches!(
            nope.or(|_| Error::EventNotFound),
            Err(Error::EventNotFound)
        ));
    }

    #[test]
    fn device_id_lists_check_the_domain_rule_and_refuse_malformed_ids() {
        let a = Uuid::from_u128(7).to_string();
        let upper = a.to_uppercase();
        let mut issues = Vec::new();
        assert!(DeviceIds::parse(json!([a, upper]), &mut cx(&mut issues)).is_none());
        assert!(issues[0].message.contains("duplicates"), "{issues:?}");
        let mut issues = Vec::new();
        assert!(DeviceIds::parse(json!([]), &mut cx(&mut issues)).is_none());
        assert_eq!(
            issues[0].message,
            "Array must contain at least 1 element(s)"
        );
        let mut issues = Vec::new();
        assert!(DeviceIds::parse(json!([a, "nope"]), &mut cx(&mut issues)).is_none());
        assert_eq!(issues[0].path, ["f", "1"]);
        assert_eq!(issues[0].message, "Invalid uuid");
        let mut issues = Vec::new();
        let list = DeviceIds::parse(json!([a]), &mut cx(&mut issues)).unwrap();
        assert_eq!(list.as_slice(), [Uuid::from_u128(7)]);
    }

    crate::request! {
        /// Shared fields.
        pub struct Shared {
            pub name: Option<String>,
            /// Required here.
            pub count: f64,
            #[schema(schema_with = accepted::<bool>)]
            pub sync: Option<bool>,
        }
        check(req, issues) {
            if req.count < 0.0 {
                issues.push(Issue::new(vec!["count".into()], "negative"));
            }
        }
    }

    crate::request! {
        /// Own fields, then the shared ones.
        #[schema(example = json!({"id": "x", "count": 1}))]
        pub struct WithShared {
            /// The id.
            pub id: String,
            ..pub shared: Shared
        }
        check(req, issues) {
            if req.id.is_empty() {
                issues.push(Issue::new(vec!["id".into()], "empty"));
            }
        }
    }

    #[test]
    fn a_shared_group_is_read_with_the_struct_and_checked_with_it() {
        let r =
            WithShared::from_input(&mut j(json!({"id": "a", "count": 2, "name": "n"}))).unwrap();
        assert_eq!((r.id.as_str(), r.shared.count), ("a", 2.0));
        assert_eq!(r.shared.name.as_deref(), Some("n"));
        assert_eq!(r.shared.sync, None);
        // Problems of both parts land in one answer, the struct's own first.
        let body = WithShared::from_input(&mut j(json!({"id": 1, "sync": "no"})))
            .unwrap_err()
            .body();
        let tree = &body["validation_errors"];
        assert_eq!(
            tree["id"]["_errors"],
            json!(["Expected string, received number"])
        );
        assert_eq!(tree["count"]["_errors"], json!(["Required"]));
        assert_eq!(
            tree["sync"]["_errors"],
            json!(["Expected boolean, received string"])
        );
        assert_eq!(
            body["message"],
            "3 Input Errors: Expected string, received number for \"id\", count is required, \
             Expected boolean, received string for \"sync\""
        );
        // Both checks run: the group's and the struct's.
        let body = WithShared::from_input(&mut j(json!({"id": "", "count": -1})))
            .unwrap_err()
            .body();
        assert_eq!(
            body["validation_errors"]["count"]["_errors"],
            json!(["negative"])
        );
        assert_eq!(body["validation_errors"]["id"]["_errors"], json!(["empty"]));
    }

    #[test]
    fn a_shared_group_is_documented_as_fields_of_the_struct() {
        use utoipa::ToSchema;
        assert_eq!(WithShared::name(), "WithShared");
        let RefOr::T(Schema::Object(object)) = WithShared::schema() else {
            panic!("an object")
        };
        let names: Vec<&str> = object.properties.keys().map(String::as_str).collect();
        let doc = serde_json::to_value(&object).unwrap();
        assert_eq!(names, ["id", "name", "count", "sync"]);
        assert_eq!(doc["required"], json!(["id", "count"]));
        assert_eq!(doc["description"], "Own fields, then the shared ones.");
        assert_eq!(doc["example"], json!({"id": "x", "count": 1}));
        assert_eq!(doc["properties"]["id"]["description"], "The id.");
        assert_eq!(doc["properties"]["count"]["description"], "Required here.");
    }

    #[test]
    fn an_accepted_field_is_its_type_or_null_and_says_it_is_ignored() {
        let doc = serde_json::to_value(Shared::schema()).unwrap();
        assert_eq!(
            doc["properties"]["sync"],
            json!({"type": ["boolean", "null"], "description": ACCEPTED})
        );
        assert_eq!(
            serde_json::to_value(accepted::<String>()).unwrap(),
            json!({"type": ["string", "null"], "description": ACCEPTED})
        );
    }
}
