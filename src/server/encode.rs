//! The HTTP side of an answer: the format chosen from `Accept` (JSON, XML, a placeholder
//! picture), the encoded response, CORS headers and preflight answers.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS,
    CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, VARY,
};
use hyper::{Response, StatusCode};

use crate::generate::{self, Reply};
use crate::http::ErrorKind;
use crate::router::{RouteMatch, Router};
use crate::validate::{Rejection, is_json, media_type};

/// Response format chosen from `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Xml,
    /// A placeholder picture of this media type.
    Image(&'static str),
}

/// Picks JSON, XML or (where the page documents pictures) an image from `Accept`; 406 for
/// anything else.
pub(crate) fn negotiate(accept: Option<&str>, documented: &[String]) -> Result<Format, Rejection> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Ok(Format::Json);
    };
    for item in accept.split(',') {
        let media = media_type(item);
        if media.starts_with("image/") {
            // Only picture requests look at the documented types.
            let documented: Vec<String> = documented.iter().map(|d| media_type(d)).collect();
            if let Some(picture) = generate::choose_image(&media, &documented) {
                return Ok(Format::Image(picture));
            }
        }
        if is_json(&media) || media == "*/*" || media == "application/*" {
            return Ok(Format::Json);
        }
        if media == "application/xml" || media == "text/xml" || media == "text/*" {
            return Ok(Format::Xml);
        }
    }
    Err(Rejection::new(
        ErrorKind::NotAcceptable,
        format!(
            "cannot answer in `{accept}`: this API speaks application/json, text/json, application/xml and text/xml"
        ),
    ))
}

/// `X-Mockdown-Operation`.
pub(crate) static OPERATION_HEADER: HeaderName = HeaderName::from_static("x-mockdown-operation");

/// The Content-Type of most answers.
const JSON_UTF8: &str = "application/json; charset=utf-8";

/// The value of `X-Mockdown-Operation` for `operation_id` (characters a header cannot carry
/// become `_`).
pub(crate) fn operation_header(operation_id: &str) -> HeaderValue {
    HeaderValue::from_str(operation_id).unwrap_or_else(|_| {
        let visible: String = operation_id
            .chars()
            .map(|c| if c.is_ascii_graphic() { c } else { '_' })
            .collect();
        HeaderValue::from_str(&visible).unwrap_or_else(|_| HeaderValue::from_static("_"))
    })
}

/// The response for `reply` in `format`.
pub(crate) fn encode(
    reply: Reply,
    format: Format,
    accept: Option<&str>,
    operation: &HeaderValue,
) -> Response<Full<Bytes>> {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    let mut builder = Response::builder()
        .status(status)
        .header(OPERATION_HEADER.clone(), operation.clone());
    let body = match (reply.body, format) {
        (None, _) => Bytes::new(),
        (Some(_), Format::Image(media)) if reply.status < 400 => {
            builder = builder.header("content-type", media);
            Bytes::from_static(generate::image_bytes(media))
        }
        (Some(value), Format::Json | Format::Image(_)) => {
            let flavour = accept.and_then(|a| a.split(',').map(media_type).find(|m| is_json(m)));
            builder = match flavour {
                Some(flavour) if flavour != "application/json" => {
                    builder.header(CONTENT_TYPE, format!("{flavour}; charset=utf-8"))
                }
                _ => builder.header(CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8)),
            };
            value.into_json()
        }
        (Some(value), Format::Xml) => {
            let flavour = accept
                .and_then(|a| a.split(',').map(media_type).find(|m| m.ends_with("/xml")))
                .unwrap_or_else(|| "application/xml".to_string());
            builder = builder.header("content-type", format!("{flavour}; charset=utf-8"));
            Bytes::from(generate::to_xml(&reply.type_name, &value.to_value()))
        }
    };
    builder
        .body(Full::new(body))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// The answer to a CORS preflight for `path`: the methods it documents.
pub(crate) fn preflight(router: &Router, path: &str, headers: &HeaderMap) -> Response<Full<Bytes>> {
    let allow = match router.find("OPTIONS", path) {
        RouteMatch::MethodNotAllowed { allow } => allow.join(", "),
        _ => "GET, POST, PUT, PATCH, DELETE".to_string(),
    };
    let mut response = Response::builder().status(StatusCode::NO_CONTENT);
    response = response.header("access-control-allow-methods", allow);
    let requested = headers
        .get("access-control-request-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("authorization, content-type, accept, prefer, x-xsrf-token");
    response = response
        .header("access-control-allow-headers", requested)
        .header("access-control-max-age", "600");
    response
        .body(Full::new(Bytes::new()))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

/// The CORS headers every answer carries, made once.
#[derive(Debug, Clone)]
pub(crate) struct Cors(Vec<(HeaderName, HeaderValue)>);

impl Cors {
    /// The headers for `Access-Control-Allow-Origin: origin` (credentials allowed unless
    /// the origin is `*`).
    pub(crate) fn new(origin: &str) -> Self {
        let mut pairs = Vec::new();
        if let Ok(value) = HeaderValue::from_str(origin) {
            pairs.push((ACCESS_CONTROL_ALLOW_ORIGIN, value));
        }
        pairs.push((
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static("x-mockdown-operation, x-mockdown-violations, allow"),
        ));
        pairs.push((VARY, HeaderValue::from_static("Origin")));
        if origin != "*" {
            pairs.push((
                ACCESS_CONTROL_ALLOW_CREDENTIALS,
                HeaderValue::from_static("true"),
            ));
        }
        Self(pairs)
    }

    /// Sets the headers on an answer.
    pub(crate) fn apply(&self, headers: &mut HeaderMap) {
        for (name, value) in &self.0 {
            headers.insert(name.clone(), value.clone());
        }
    }
}
