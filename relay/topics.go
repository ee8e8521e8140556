package relay

// Topics the relay understands (SPEC 9.5, 9.7).
const (
	TopicMessage   = "sse.message"
	TopicJoin      = "sse.join"
	TopicLeave     = "sse.leave"
	TopicHeartbeat = "sse.heartbeat"
	TopicClose     = "sse.close"
	TopicControl   = "sse.control"
)

// Reasons sent in the final `done` event (SPEC 9.8).
const (
	ReasonClosed       = "closed by server"
	ReasonTargetExited = "target process exited"
	ReasonIdle         = "idle timeout"
	ReasonHard         = "hard timeout"
	ReasonSlow         = "slow consumer"
	ReasonShutdown     = "server shutting down"
	ReasonTerminated   = "process terminated"
)

// ExitResult is the value monitors see when a stream ends (SPEC 9.3).
const ExitResult = "sse relay closed"

var errNoPoller = errorString("no epoll on this platform")

type errorString string

func (e errorString) Error() string { return string(e) }
