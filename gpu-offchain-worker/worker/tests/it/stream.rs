//! The live text of on-chain chat jobs (`verity_worker::stream`): a reader that comes late gets
//! every piece from the first, then the end; failures are reported; the streams kept are
//! bounded.

use http_body_util::BodyExt;
use verity_worker::stream::{JobStreams, MAX_STREAMS};

async fn read_all(streams: &JobStreams, id: u64) -> String {
	let body = streams.get(id).unwrap().body().collect().await.unwrap().to_bytes();
	String::from_utf8(body.to_vec()).unwrap()
}

#[tokio::test]
async fn a_late_reader_gets_every_piece_then_the_end() {
	let streams = JobStreams::default();
	let job = streams.open(7);
	job.push(b"Hel");
	let reader = tokio::spawn(streams.get(7).unwrap().body().collect());
	tokio::task::yield_now().await;
	job.push("lo ✓".as_bytes());
	job.finish(Ok(()));
	let body = String::from_utf8(reader.await.unwrap().unwrap().to_bytes().to_vec()).unwrap();
	let lines: Vec<serde_json::Value> =
		body.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
	assert_eq!(lines.len(), 3, "{body}");
	assert_eq!((lines[0]["text"].as_str(), lines[1]["text"].as_str()), (Some("Hel"), Some("lo ✓")));
	assert!(lines[0]["ms"].as_u64().unwrap() <= lines[1]["ms"].as_u64().unwrap());
	assert_eq!(lines[2], serde_json::json!({"done": true}));
	// Read again after the end: the same lines.
	assert_eq!(read_all(&streams, 7).await, body);
	assert!(streams.get(8).is_none());
}

#[tokio::test]
async fn streams_are_bounded_and_failures_reported() {
	let streams = JobStreams::default();
	for id in 0..MAX_STREAMS as u64 {
		streams.open(id).finish(Err("model failed".into()));
	}
	assert_eq!(read_all(&streams, 3).await, "{\"error\":\"model failed\"}\n");
	// One more job: the oldest finished stream makes room for it.
	streams.open(1_000);
	assert!(streams.get(1_000).is_some());
	let kept = (0..MAX_STREAMS as u64).filter(|id| streams.get(*id).is_some()).count();
	assert_eq!(kept, MAX_STREAMS - 1);
}
