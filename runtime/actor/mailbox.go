package actor

// Mailbox receives a process's deliveries. The kernel calls the Push methods
// from any goroutine (senders, exiting processes); implementations must be
// safe for concurrent use and must never block.
//
// A Push returning false means overflow: the kernel drops the delivery and
// terminates the process with ErrMailboxOverflow. A mailbox that has been
// closed should silently drop and return true.
//
// If a Mailbox also has a Close() method, the kernel calls it once when the
// process exits, so queued deliveries are released.
type Mailbox interface {
	PushMessage(Message) bool
	PushEvent(Event) bool
}

// QueueMailbox is the default Mailbox: one queue for messages and one for
// events, each bounded by the kernel's mailbox limit. Its consumer is the
// process's own goroutine, which may drain Events before Messages.
type QueueMailbox struct {
	Messages *Queue[Message]
	Events   *Queue[Event]
}

var _ Mailbox = (*QueueMailbox)(nil)

// NewQueueMailbox returns a mailbox whose queues each hold at most limit
// items (<= 0: unbounded).
func NewQueueMailbox(limit int) *QueueMailbox {
	return &QueueMailbox{Messages: NewQueue[Message](limit), Events: NewQueue[Event](limit)}
}

// PushMessage queues m; false only when the message queue is full.
func (b *QueueMailbox) PushMessage(m Message) bool {
	return b.Messages.push(m) != pushFull
}

// PushEvent queues e; false only when the event queue is full.
func (b *QueueMailbox) PushEvent(e Event) bool {
	return b.Events.push(e) != pushFull
}

// Len is the number of queued messages.
func (b *QueueMailbox) Len() int { return b.Messages.Len() }

// Close releases both queues; later pushes are dropped.
func (b *QueueMailbox) Close() {
	b.Messages.Close()
	b.Events.Close()
}
