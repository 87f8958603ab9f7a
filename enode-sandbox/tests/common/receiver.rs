//! A webhook receiver on 127.0.0.1 that records each delivery and fails the first N.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// One request the receiver got.
#[derive(Debug)]
pub struct Delivery {
    pub headers: HeaderMap,
    pub body: Bytes,
    pub received_at: Instant,
    /// The status the receiver responded with.
    pub response_status: StatusCode,
}

impl Delivery {
    pub fn header(&self, name: &str) -> String {
        self.headers
            .get(name)
            .and_then(|value| value.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    pub fn events(&self) -> Vec<serde_json::Value> {
        serde_json::from_slice(&self.body).expect("a JSON array of events")
    }

    pub fn event_names(&self) -> Vec<String> {
        self.events()
            .iter()
            .map(|event| event["event"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
}

#[derive(Clone)]
struct ReceiverState {
    failures_left: Arc<AtomicUsize>,
    sender: mpsc::UnboundedSender<Delivery>,
}

pub struct Receiver {
    pub url: String,
    deliveries: mpsc::UnboundedReceiver<Delivery>,
    server: JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Receiver {
    /// Starts a receiver that responds 500 to the first `failures` requests and 200 after.
    pub async fn start(failures: usize) -> Self {
        let (sender, deliveries) = mpsc::unbounded_channel();
        let state = ReceiverState {
            failures_left: Arc::new(AtomicUsize::new(failures)),
            sender,
        };
        let app = axum::Router::new()
            .route("/hooks/enode", post(receive))
            .with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free port");
        let addr = listener.local_addr().expect("the bound address");
        let server = tokio::spawn(async move {
            axum::serve(listener, app)
                .await
                .expect("the receiver server");
        });
        Self {
            url: format!("http://{addr}/hooks/enode"),
            deliveries,
            server,
        }
    }

    /// Waits up to 5 seconds for the next request.
    pub async fn next(&mut self) -> Delivery {
        tokio::time::timeout(Duration::from_secs(5), self.deliveries.recv())
            .await
            .expect("a webhook delivery within 5 seconds")
            .expect("the receiver is running")
    }

    /// Waits up to `wait` and returns a request if one came.
    pub async fn maybe_next(&mut self, wait: Duration) -> Option<Delivery> {
        tokio::time::timeout(wait, self.deliveries.recv())
            .await
            .ok()
            .flatten()
    }
}

async fn receive(
    State(state): State<ReceiverState>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let fail = state
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
            left.checked_sub(1)
        })
        .is_ok();
    let response_status = if fail {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    let _ = state.sender.send(Delivery {
        headers,
        body,
        received_at: Instant::now(),
        response_status,
    });
    response_status
}
