//! The conventions of the OpenAPI 3.1 document. Its paths come from the route list
//! ([`super::routes`]: each handler's `#[utoipa::path]` and its request and response structs);
//! this module adds what they share: title, description and tags ([`base`]), then
//! ([`apply_conventions`]) GET/DELETE take the body's fields as query parameters, Seam's
//! routes (those the router authenticates) get the security schemes, every operation gets
//! Seam's style of id, and every response carries `seam-request-id`.
//!
//! `GET /openapi.json` serves the document; `openapi/openapi.json` is the committed copy, kept
//! equal to [`super::document`] by a test (`UPDATE_OPENAPI=1 cargo test --test openapi`
//! rewrites it).

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, OnceLock};

use utoipa::{
    Modify, OpenApi,
    openapi::{
        self, Components, ContentBuilder, Ref, RefOr, Required,
        header::HeaderBuilder,
        path::{Operation, Parameter, ParameterBuilder, ParameterIn, PathItem},
        response::{Response as ApiResponse, ResponseBuilder},
        schema::{AnyOfBuilder, Object, ObjectBuilder, Schema, SchemaType, Type},
        security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
        },
    },
};

use super::schema::{ErrorBody, ErrorResponse, REQUEST_ID, ValidationErrors};

const DESCRIPTION: &str = "\
A local server that speaks Seam Connect's access-code API: devices, access codes (with \
`create_multiple`'s shared PINs), unmanaged codes, action attempts and events, plus a control \
surface under `/_fake/` for tests.

Every route takes POST with a JSON body; GET and DELETE take the same fields as query \
parameters (arrays as repeated keys, `key=` for an empty array or a null scalar, \
`true`/`false`, dotted keys for nested objects). Unknown fields are ignored. An empty body \
counts as `{}`.

Success is 200 with `{..., \"ok\": true}`; every error is `{\"error\": {\"type\", \"message\", \
\"validation_errors\"?, \"data\"?}, \"ok\": false}` (see `ErrorResponse`). Every response carries \
a `seam-request-id` header. A verb a path does not list answers 405 `method_not_allowed` with \
an `Allow` header (after authentication on Seam's routes); a path not listed here answers 404 \
`not_found`; a bug answers 500 `internal_server_error`. OPTIONS answers every path with 200 \
(CORS preflight), and HEAD is answered wherever GET is.

Seam's routes need one credential: an API key, a client session token (bearer or either \
client-session header), or a personal access token or console-session JWT with \
`seam-workspace`. It resolves to one workspace, and every read and write stays inside it. \
Without `seam-workspace`, a personal access token or console session may call \
`/workspaces/list` and `/workspaces/create` only; a `seam-publishable-key` header opens \
client sessions only. A route under a simulated outage answers 503 with an empty body.";

/// What the document says besides its paths: title, description, tags.
#[derive(OpenApi)]
#[openapi(
    info(title = "seam-mock", description = DESCRIPTION),
    tags(
        (name = "devices", description = "The locks (and other devices) of the workspace."),
        (name = "access_codes", description = "PINs on locks: managed codes, shared codes, unmanaged codes."),
        (name = "action_attempts", description = "Receipts of actions; the mock finishes each at once (door actions answer `pending` first)."),
        (name = "events", description = "What happened to access codes and locks, oldest first."),
        (name = "locks", description = "Devices with the `lock` capability; locking and unlocking doors."),
        (name = "connected_accounts", description = "The provider logins that own the devices."),
        (name = "workspaces", description = "The workspaces a credential reaches; new ones for people's credentials."),
        (name = "client_sessions", description = "Tokens for one end user, from an API key or a publishable key."),
        (name = "meta", description = "Health and this document."),
        (name = "fake", description = "The test-control surface: seed, whole-state dump and load, devices, clock, action attempts, outages, fault rules, reset."),
    ),
    components(schemas(ErrorResponse, ErrorBody, ValidationErrors))
)]
struct ApiDoc;

/// The document before the routes add their paths.
pub fn base() -> openapi::OpenApi {
    ApiDoc::openapi()
}

/// The document's JSON as `/openapi.json` serves it, made on a thread of its own once the
/// router is built: the server listens without waiting for it (a few ms of every start).
#[derive(Clone)]
pub struct DocumentJson {
    doc: Arc<openapi::OpenApi>,
    json: Arc<OnceLock<Arc<str>>>,
}

impl DocumentJson {
    /// Starts serializing `doc`; the first request for it makes it if no thread could.
    pub fn serialize(doc: openapi::OpenApi) -> Self {
        let this = DocumentJson {
            doc: Arc::new(doc),
            json: Arc::default(),
        };
        let background = this.clone();
        let _ = std::thread::Builder::new()
            .name("openapi-json".into())
            .spawn(move || background.make());
        this
    }

    /// The JSON; whoever comes second waits for the first to finish it.
    fn make(&self) -> Arc<str> {
        self.json
            .get_or_init(|| Arc::from(to_json(&self.doc)))
            .clone()
    }

    /// The JSON, waiting (off the runtime's threads) while it is still being made.
    pub async fn get(&self) -> Arc<str> {
        if let Some(json) = self.json.get() {
            return json.clone();
        }
        let this = self.clone();
        // The blocking pool refuses work only while the runtime shuts down: make it here then.
        tokio::task::spawn_blocking(move || this.make())
            .await
            .unwrap_or_else(|_| self.make())
    }
}

/// `doc` as the committed `openapi/openapi.json` holds it: pretty JSON and a newline.
pub fn to_json(doc: &openapi::OpenApi) -> String {
    let mut json = doc
        .to_pretty_json()
        .expect("the OpenAPI document serializes");
    json.push('\n');
    json
}

/// Applies the conventions every route shares to the assembled document; `authenticated`
/// are the paths that need a credential.
pub fn apply_conventions(doc: &mut openapi::OpenApi, authenticated: &HashSet<String>) {
    SeamConventions {
        authenticated: authenticated.clone(),
    }
    .modify(doc);
}

/// The conventions every route shares, applied to the derived document.
struct SeamConventions {
    authenticated: HashSet<String>,
}

/// The verbs of a path item, in document order.
fn operations_mut(item: &mut PathItem) -> [(&'static str, &mut Option<Operation>); 8] {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("options", &mut item.options),
        ("head", &mut item.head),
        ("patch", &mut item.patch),
        ("trace", &mut item.trace),
    ]
}

/// Seam's style of operation id: `/access_codes/create_multiple` PUT is
/// `accessCodesCreateMultiplePut`.
fn operation_id(path: &str, method: &str) -> String {
    let mut id = String::new();
    for word in path
        .split(|c: char| !c.is_ascii_alphanumeric())
        .chain([method])
        .filter(|w| !w.is_empty())
    {
        if id.is_empty() {
            id.push_str(word);
        } else {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                id.push(first.to_ascii_uppercase());
                id.push_str(chars.as_str());
            }
        }
    }
    id
}

/// A schema without its `null` alternative: in a query string an empty value already reads as
/// null, so a parameter's schema only describes the values that can be written.
fn without_null(schema: RefOr<Schema>) -> RefOr<Schema> {
    fn strip(t: &mut SchemaType) {
        if let SchemaType::Array(types) = t {
            types.retain(|t| *t != Type::Null);
            if let [only] = types.as_slice() {
                *t = SchemaType::Type(only.clone());
            }
        }
    }
    match schema {
        RefOr::T(Schema::Object(mut o)) => {
            strip(&mut o.schema_type);
            RefOr::T(Schema::Object(o))
        }
        RefOr::T(Schema::Array(mut a)) => {
            strip(&mut a.schema_type);
            RefOr::T(Schema::Array(a))
        }
        RefOr::T(Schema::OneOf(mut one)) => {
            one.items.retain(|item| {
                !matches!(item, RefOr::T(Schema::Object(o))
                    if o.schema_type == SchemaType::Type(Type::Null))
            });
            match one.items.len() {
                1 => one.items.remove(0),
                _ => RefOr::T(Schema::OneOf(one)),
            }
        }
        other => other,
    }
}

/// The object a request body's schema names.
fn resolve<'a>(schema: &'a RefOr<Schema>, components: &'a Components) -> Option<&'a Object> {
    let schema = match schema {
        RefOr::Ref(r) => components.schemas.get(r.ref_location.rsplit('/').next()?)?,
        inline => inline,
    };
    match schema {
        RefOr::T(Schema::Object(o)) => Some(o),
        _ => None,
    }
}

/// `schema`, or the empty value (`key=`).
fn or_empty(schema: RefOr<Schema>) -> RefOr<Schema> {
    if let RefOr::T(Schema::Object(o)) = &schema
        && o.schema_type == SchemaType::Type(Type::String)
        && o.format.is_none()
        && o.pattern.is_none()
        && o.enum_values.is_none()
        && o.min_length.unwrap_or(0) == 0
    {
        // Any string, the empty one included.
        return schema;
    }
    AnyOfBuilder::new()
        .item(schema)
        .item(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([""])),
        )
        .into()
}

/// The query parameters of a GET or DELETE: the fields of the JSON body the other verbs take.
fn query_parameters(body_schema: &RefOr<Schema>, components: &Components) -> Vec<Parameter> {
    let Some(object) = resolve(body_schema, components) else {
        return Vec::new();
    };
    object
        .properties
        .iter()
        .map(|(name, schema)| {
            let required = object.required.contains(name);
            let mut schema = without_null(schema.clone());
            // The description moves from the schema to the parameter.
            let description = match &mut schema {
                RefOr::T(Schema::Object(o)) => o.description.take(),
                RefOr::T(Schema::Array(a)) => a.description.take(),
                _ => None,
            };
            // An empty value (`key=`) of a scalar reads as null: a required one refuses it, an
            // optional one takes it as not given. (Of an array it reads as `[]`, which an array
            // schema already says: a lone value is a one-item array.)
            match (&mut schema, required) {
                (RefOr::T(Schema::Array(_)), _) => {}
                (RefOr::T(Schema::Object(o)), true) => {
                    if o.schema_type == SchemaType::Type(Type::String) {
                        o.min_length = Some(o.min_length.unwrap_or(0).max(1));
                    }
                }
                (_, false) => schema = or_empty(schema),
                (_, true) => {}
            }
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Query)
                .required(if required {
                    Required::True
                } else {
                    Required::False
                })
                .description(description)
                .schema(Some(schema))
                .build()
        })
        .collect()
}

/// The credentials Seam's routes take, in the names Seam's own document uses.
fn security_requirements() -> Vec<SecurityRequirement> {
    let none = Vec::<String>::new;
    vec![
        SecurityRequirement::new("api_key", none()),
        SecurityRequirement::new("client_session", none()),
        SecurityRequirement::new("client_session_token", none()),
        SecurityRequirement::new("seam_client_session_token", none()),
        SecurityRequirement::new("pat_with_workspace", none()).add("seam_workspace", none()),
    ]
}

fn add_security_schemes(components: &mut Components) {
    let bearer = |format: &str, description: &str| {
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format(format)
                .description(Some(description))
                .build(),
        )
    };
    let header = |name: &str, description: &str| {
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            name,
            description,
        )))
    };
    components.add_security_scheme(
        "api_key",
        bearer(
            "API Key",
            "`Authorization: Bearer seam_...`: an API key, good for one workspace.",
        ),
    );
    components.add_security_scheme(
        "client_session",
        bearer(
            "Client Session Token",
            "`Authorization: Bearer seam_cst...`: a client session, possibly limited to some \
             connected accounts.",
        ),
    );
    components.add_security_scheme(
        "client_session_token",
        header(
            "client-session-token",
            "A client session token (`seam_cst...`) in its own header; it wins over \
             `Authorization`.",
        ),
    );
    components.add_security_scheme(
        "seam_client_session_token",
        header(
            "seam-client-session-token",
            "The same, under the header name newer SDKs send.",
        ),
    );
    components.add_security_scheme(
        "pat_with_workspace",
        bearer(
            "Personal Access Token",
            "`Authorization: Bearer seam_at...`: a personal access token, or `Bearer <JWT>`: a \
             console session (HS256 over `{user_id, key}`, secret from `--console-jwt-secret`); \
             needs `seam-workspace` except on `/workspaces/list` and `/workspaces/create`.",
        ),
    );
    components.add_security_scheme(
        "seam_workspace",
        header(
            "seam-workspace",
            "The workspace a personal access token or console session acts in (one it is a \
             member of).",
        ),
    );
}

/// A JSON error response, for the reusable ones in `components.responses`.
fn error_response(description: &str) -> ApiResponse {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorResponse")))
                .build(),
        )
        .build()
}

impl Modify for SeamConventions {
    fn modify(&self, doc: &mut openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Components::new);
        add_security_schemes(components);
        components.responses.insert(
            "MethodNotAllowed".into(),
            RefOr::T(error_response(
                "`method_not_allowed`: the path does not take this verb; `Allow` lists those it \
                 takes.",
            )),
        );
        components.responses.insert(
            "NotFound".into(),
            RefOr::T(error_response("`not_found`: no such route.")),
        );
        let components = components.clone();
        let request_id = HeaderBuilder::new()
            .schema(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some("^request")),
            )
            .description(Some("This request's id, for logs and support."))
            .build();
        let authenticated = &self.authenticated;

        for (path, item) in doc.paths.paths.iter_mut() {
            for (method, op) in operations_mut(item) {
                let Some(op) = op else { continue };
                op.operation_id = Some(operation_id(path, method));
                if let Some(body) = &mut op.request_body {
                    // An empty body counts as `{}`: it is only required when a field is.
                    let needs_fields = body
                        .content
                        .values()
                        .next()
                        .and_then(|c| c.schema.as_ref())
                        .and_then(|s| resolve(s, &components))
                        .is_some_and(|o| !o.required.is_empty());
                    body.required = Some(if needs_fields {
                        Required::True
                    } else {
                        Required::False
                    });
                }
                if matches!(method, "get" | "delete")
                    && let Some(body) = op.request_body.take()
                {
                    let params = body
                        .content
                        .values()
                        .next()
                        .and_then(|c| c.schema.as_ref())
                        .map(|s| query_parameters(s, &components))
                        .unwrap_or_default();
                    if !params.is_empty() {
                        op.parameters.get_or_insert_with(Vec::new).extend(params);
                    }
                }
                if authenticated.contains(path) {
                    op.security = Some(security_requirements());
                }
                for response in op.responses.responses.values_mut() {
                    if let RefOr::T(response) = response {
                        response
                            .headers
                            .insert(REQUEST_ID.into(), request_id.clone());
                    }
                }
            }
        }
    }
}

/// Every (path, verb) the document lists, verbs upper-case (for comparing with the router).
pub fn operations(doc: &openapi::OpenApi) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    for (path, item) in &doc.paths.paths {
        let mut item = item.clone();
        let methods = operations_mut(&mut item)
            .into_iter()
            .filter(|(_, op)| op.is_some())
            .map(|(m, _)| m.to_ascii_uppercase())
            .collect();
        out.insert(path.clone(), methods);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_follow_seams_style() {
        assert_eq!(
            operation_id("/access_codes/create_multiple", "put"),
            "accessCodesCreateMultiplePut"
        );
        assert_eq!(operation_id("/_fake/database", "get"), "fakeDatabaseGet");
        assert_eq!(operation_id("/openapi.json", "get"), "openapiJsonGet");
    }

    #[test]
    fn query_parameters_drop_null_and_take_an_empty_value() {
        let nullable = ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
            .into();
        let RefOr::T(Schema::Object(o)) = without_null(nullable) else {
            panic!("an object schema");
        };
        assert!(o.schema_type == SchemaType::Type(Type::Integer));
        let json = serde_json::to_value(or_empty(RefOr::T(Schema::Object(o)))).unwrap();
        assert_eq!(json["anyOf"][1]["enum"], serde_json::json!([""]));
        let any_string: RefOr<Schema> = ObjectBuilder::new().schema_type(Type::String).into();
        assert!(matches!(or_empty(any_string), RefOr::T(Schema::Object(_))));
    }
}
