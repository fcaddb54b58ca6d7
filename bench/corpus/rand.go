package corpus

// rng is a SplitMix64 generator. The corpus uses its own generator rather
// than math/rand so that a seed gives byte-identical documents on every Go
// version and platform: benchmark figures are only comparable over time if
// the documents they read are the same.
type rng struct{ state uint64 }

// mix is the SplitMix64 finaliser.
func mix(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// docRNG returns the generator for document i of the corpus seeded with
// seed. Each document has its own stream, so a document's content depends
// only on the seed and its index.
func docRNG(seed int64, i int) *rng {
	return &rng{state: mix(mix(uint64(seed)) + uint64(i)*0x9e3779b97f4a7c15)}
}

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	return mix(r.state)
}

// intn returns a number in [0, n); n must be positive.
func (r *rng) intn(n int) int {
	return int(r.next() % uint64(n))
}

// between returns a number in [lo, hi].
func (r *rng) between(lo, hi int) int {
	return lo + r.intn(hi-lo+1)
}

// chance reports true with probability p.
func (r *rng) chance(p float64) bool {
	return float64(r.next()>>11)/(1<<53) < p
}

// pick returns a random element of xs, which must not be empty.
func pick[T any](r *rng, xs []T) T {
	return xs[r.intn(len(xs))]
}
