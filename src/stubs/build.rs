//! Stubs built in code, as wiremock-rs users write them:
//! `Stub::given("GET", "/api/v1/Contact/{id}").query("$select", "Name").respond_with(200, body)`.

use serde_json::Value;

use super::{Match, Stub, StubResponse};

impl Stub {
    /// A stub for requests with `method` on `path` (a documented template such as
    /// `/api/v1/Contact/{id}`, a glob such as `/api/v1/Contact/*`, or a path), answering 200
    /// with no body until [`Stub::respond_with`] says otherwise.
    ///
    /// ```
    /// use mockdown::Stub;
    /// use serde_json::json;
    ///
    /// // The second page of a search, for one caller, after a second.
    /// let stub = Stub::given("GET", "/api/v1/Contact/{id}")
    ///     .query("$select", "Name*")
    ///     .header("Authorization", "Basic *")
    ///     .respond_with(200, json!({"ContactId": 5, "Name": "Acme"}))
    ///     .respond_header("X-Mock", "stub")
    ///     .delay_ms(1000)
    ///     .times(1)
    ///     .id("acme");
    /// // The same stub, as `POST /__mockdown/stubs` takes it.
    /// let same = Stub::from_json(&json!({
    ///     "id": "acme",
    ///     "match": {"method": "GET", "path": "/api/v1/Contact/{id}",
    ///               "query": {"$select": "Name*"}, "headers": {"Authorization": "Basic *"}},
    ///     "response": {"status": 200, "headers": {"X-Mock": "stub"},
    ///                  "body": {"ContactId": 5, "Name": "Acme"}, "delayMs": 1000},
    ///     "times": 1
    /// }))?;
    /// assert_eq!(stub, same);
    /// # Ok::<(), mockdown::Error>(())
    /// ```
    pub fn given(method: &str, path: &str) -> Stub {
        Stub {
            id: String::new(),
            matcher: Match {
                method: Some(method.to_string()),
                path: Some(path.to_string()),
                ..Match::default()
            },
            response: StubResponse {
                status: 200,
                headers: Default::default(),
                body: None,
                delay_ms: 0,
            },
            times: None,
            priority: 0,
            unchecked: false,
            validate: false,
        }
    }

    /// Reads a stub written as JSON (the shape `POST /__mockdown/stubs` takes); an absent id
    /// becomes a stable one made from the content.
    pub fn from_json(value: &Value) -> Result<Stub, crate::Error> {
        Stub::parse(value).map_err(|e| crate::Error::Stub(e.to_string()))
    }

    /// Only requests with query parameter `name` set to `value` (a glob with `*`/`?`).
    pub fn query(mut self, name: &str, value: &str) -> Stub {
        self.matcher.query.insert(name.into(), value.into());
        self
    }

    /// Only requests with header `name` (any case) set to `value` (a glob with `*`/`?`).
    pub fn header(mut self, name: &str, value: &str) -> Stub {
        self.matcher.headers.insert(name.into(), value.into());
        self
    }

    /// Only requests whose JSON body contains `subset` (objects: these members,
    /// recursively; arrays: these items, in any order).
    pub fn body_contains(mut self, subset: Value) -> Stub {
        self.matcher.body = Some(subset);
        self
    }

    /// Answer `status` with the JSON `body`.
    pub fn respond_with(mut self, status: u16, body: Value) -> Stub {
        self.response.status = status;
        self.response.body = Some(body);
        self
    }

    /// Also send header `name: value` with the answer.
    pub fn respond_header(mut self, name: &str, value: &str) -> Stub {
        self.response.headers.insert(name.into(), value.into());
        self
    }

    /// Wait `millis` milliseconds before answering.
    pub fn delay_ms(mut self, millis: u64) -> Stub {
        self.response.delay_ms = millis;
        self
    }

    /// Answer this many times, then step aside.
    pub fn times(mut self, times: u64) -> Stub {
        self.times = Some(times);
        self
    }

    /// Lower answers first (default 0); among equals, the newest stub.
    pub fn priority(mut self, priority: i32) -> Stub {
        self.priority = priority;
        self
    }

    /// Serve the answer even where it breaks the contract.
    pub fn unchecked(mut self) -> Stub {
        self.unchecked = true;
        self
    }

    /// Check the request first: an invalid request gets the mock's 400, not this answer.
    pub fn validate_request(mut self) -> Stub {
        self.validate = true;
        self
    }

    /// Names the stub `id` (mounting a stub with the same id replaces it).
    pub fn id(mut self, id: &str) -> Stub {
        self.id = id.to_string();
        self
    }

    /// Gives the stub the stable id made from its content, unless it has one.
    pub(crate) fn identified(mut self) -> Stub {
        if self.id.is_empty() {
            let text = serde_json::to_string(&self).unwrap_or_default();
            self.id = format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()));
        }
        self
    }
}
