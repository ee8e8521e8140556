package actor

import "sync"

// keepCap is the ring size below which a Queue never shrinks. A larger ring
// is halved when the queue empties after more than quietFactor×size pushes
// during which occupancy never exceeded a quarter of the ring. The window is
// counted in pushes so that the cost of a shrink (and of re-growing after
// it) is amortised over many pushes: a queue with recurring bursts keeps its
// ring, a queue whose load dropped gives memory back gradually. A queue that
// goes idle right after a burst keeps a ring of at most about twice that
// burst until it is used again or closed.
const keepCap = 8

// quietFactor: see keepCap.
const quietFactor = 4

// Queue is a FIFO safe for concurrent producers and consumers (normally one
// consumer: the owning process). Push never blocks. A Queue is unbounded
// unless created with a limit.
//
// The consumer waits on Notify, then drains with TryPop or PopBatch until
// empty. Notify's channel has a buffer of one so a Push never blocks on it
// and wake-ups coalesce: one pending signal means "check the queue".
type Queue[T any] struct {
	mu     sync.Mutex
	buf    []T // ring; len is a power of two (nil before the first push and after Close)
	head   int
	n      int
	quiet  int // pushes since occupancy last exceeded len(buf)/4
	limit  int // <= 0: unbounded
	closed bool
	notify chan struct{}
}

// pushResult distinguishes why a push failed.
type pushResult int

const (
	pushOK pushResult = iota
	pushFull
	pushClosed
)

// NewQueue returns an empty queue holding at most limit items (<= 0:
// unbounded).
func NewQueue[T any](limit int) *Queue[T] {
	return &Queue[T]{limit: limit, notify: make(chan struct{}, 1)}
}

// Push appends v. It returns false, dropping v, if the queue is closed or
// holds limit items.
func (q *Queue[T]) Push(v T) bool { return q.push(v) == pushOK }

func (q *Queue[T]) push(v T) pushResult {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return pushClosed
	}
	if q.limit > 0 && q.n >= q.limit {
		q.mu.Unlock()
		return pushFull
	}
	if q.n == len(q.buf) {
		q.grow()
	}
	q.buf[(q.head+q.n)&(len(q.buf)-1)] = v
	q.n++
	if q.n > len(q.buf)/4 {
		q.quiet = 0
	} else {
		q.quiet++
	}
	q.mu.Unlock()
	select {
	case q.notify <- struct{}{}:
	default: // a wake-up is already pending
	}
	return pushOK
}

// grow doubles the ring (at least 4 slots), unwrapping it to start at 0.
func (q *Queue[T]) grow() {
	next := make([]T, max(4, 2*len(q.buf)))
	for i := 0; i < q.n; i++ {
		next[i] = q.buf[(q.head+i)&(len(q.buf)-1)]
	}
	q.buf, q.head = next, 0
}

// TryPop removes and returns the oldest item, or false if the queue is empty.
func (q *Queue[T]) TryPop() (T, bool) {
	var zero T
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == 0 {
		return zero, false
	}
	v := q.pop()
	q.shrink()
	return v, true
}

// PopBatch appends up to max items (all if max <= 0) to dst in FIFO order,
// taking the lock once, and returns the extended slice.
func (q *Queue[T]) PopBatch(dst []T, max int) []T {
	q.mu.Lock()
	defer q.mu.Unlock()
	for taken := 0; q.n > 0 && (max <= 0 || taken < max); taken++ {
		dst = append(dst, q.pop())
	}
	q.shrink()
	return dst
}

// pop takes the head item and clears its slot for the GC. Needs q.mu, n > 0.
func (q *Queue[T]) pop() T {
	var zero T
	v := q.buf[q.head]
	q.buf[q.head] = zero
	q.head = (q.head + 1) & (len(q.buf) - 1)
	q.n--
	return v
}

// shrink runs when the queue may have emptied: it halves a large ring that
// has been under-used for a while (see keepCap). Needs q.mu.
func (q *Queue[T]) shrink() {
	if q.n != 0 {
		return
	}
	q.head = 0
	if len(q.buf) > keepCap && q.quiet > quietFactor*len(q.buf) {
		q.buf = make([]T, len(q.buf)/2)
		q.quiet = 0
	}
}

// Len returns the number of queued items.
func (q *Queue[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}

// Notify returns the wake-up channel (see the type comment). It is never
// closed.
func (q *Queue[T]) Notify() <-chan struct{} { return q.notify }

// Close drops every queued item and makes later pushes fail. It does not
// wake the consumer. Closing twice is a no-op.
func (q *Queue[T]) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.buf, q.head, q.n, q.quiet = nil, 0, 0, 0
}
