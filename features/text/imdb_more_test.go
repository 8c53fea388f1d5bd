package text

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"strconv"
	"testing"

	"github.com/james-bowman/sparse"
	"github.com/kiln-ml/kiln/internal/realdata"
)

// References for TF-IDF, hashing and n-grams on the 50,000 IMDB reviews:
// scikit-learn 1.2.1, testdata/sklearn_reference.py (see imdb_test.go). The
// TF-IDF input is CountVectorizer(min_df=10, max_df=0.1).fit_transform; the
// sampled entries are 40 (TF-IDF) or 30 (hashing) stored entries drawn with
// np.random.default_rng(1) and (2). testdata/imdb_tfidf_idf.txt.gz holds the
// idf_ of the default TfidfTransformer() (%.17g), imdb_tfidf_colsum.txt.gz
// the column sums of its result (rounded to 12 significant digits).

type entry struct {
	row, col int
	value    float64
}

func readFloats(t *testing.T, path string) []float64 {
	t.Helper()
	var out []float64
	for _, l := range readGzipLines(t, path) {
		x, err := strconv.ParseFloat(l, 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, x)
	}
	return out
}

func sumsOf(m *sparse.CSR) (sum, sumAbs, sumSq float64) {
	for _, x := range m.RawMatrix().Data {
		sum += x
		sumAbs += math.Abs(x)
		sumSq += x * x
	}
	return
}

func TestIMDBTfidfParity(t *testing.T) {
	if raceEnabled {
		t.Skip("whole-corpus parity runs without -race")
	}
	docs, _ := realdata.IMDB(t)
	counts, err := (&CountVectorizer{MinDF: DF{Docs: 10}, MaxDF: DF{Fraction: 0.1}}).FitTransform(context.Background(), docs)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name       string
		tf         *TfidfTransformer
		sum, sumSq float64
		samples    []entry
	}{
		{"tfidf", &TfidfTransformer{}, 364698.79905582883, 50000, []entry{{1435, 8690, 0.11584129810412688}, {1826, 9978, 0.1039645743300741}, {4482, 25188, 0.088937270272489738}, {6497, 15165, 0.05593821758402151}, {6534, 24616, 0.11048132712691604}, {6977, 15370, 0.093648162564879525}, {7499, 505, 0.023904343704856234}, {10502, 2241, 0.047241017054294662}, {12740, 11070, 0.13826061363379283}, {13142, 3057, 0.050303333893374026}, {13441, 7648, 0.044058229269694466}, {14019, 4278, 0.19543670910226396}, {15513, 10512, 0.067750007042143567}, {15969, 23427, 0.13121599148786411}, {16902, 937, 0.089607835673887998}, {19593, 20035, 0.49850036590507718}, {20581, 13327, 0.084309862116097326}, {20857, 14641, 0.063922250230673203}, {21595, 926, 0.055904181346662696}, {22989, 9215, 0.05113755866765278}, {23029, 10553, 0.10396721565255267}, {24037, 10552, 0.14465811924617353}, {25520, 11095, 0.074330330294917285}, {25994, 25157, 0.090504954394816983}, {27381, 5860, 0.047355339919695739}, {27950, 2474, 0.05049267055020825}, {32518, 2910, 0.15779821814255254}, {38075, 1722, 0.074232783254004828}, {38149, 5466, 0.11461889221758272}, {39787, 22574, 0.071441062197395599}, {41119, 13522, 0.16688715952341612}, {41396, 10063, 0.20014775653801187}, {41660, 2464, 0.10138172947447577}, {42137, 6147, 0.5077445803721039}, {43486, 9538, 0.10358475958668528}, {43667, 19564, 0.062738934452875331}, {45362, 24904, 0.093906056093035692}, {47524, 15064, 0.10473476178425273}, {47613, 1059, 0.049456994527609537}, {48862, 18210, 0.052739518185168165}}},
		{"tfidf_sublinear", &TfidfTransformer{SublinearTF: true}, 386019.44037257176, 50000, []entry{{1435, 8690, 0.13013131720549373}, {1826, 9978, 0.10906759089005008}, {4482, 25188, 0.09925657409544951}, {6497, 15165, 0.065931075527554825}, {6534, 24616, 0.11201371140222879}, {6977, 15370, 0.10187707197776659}, {7499, 505, 0.032557335893996113}, {10502, 2241, 0.05182316371661784}, {12740, 11070, 0.13149014309623522}, {13142, 3057, 0.059164245630537252}, {13441, 7648, 0.049524882016160045}, {14019, 4278, 0.19628120870007304}, {15513, 10512, 0.083018282543520186}, {15969, 23427, 0.13592732290179621}, {16902, 937, 0.092407982666074737}, {19593, 20035, 0.37320181773724798}, {20581, 13327, 0.090948826720645817}, {20857, 14641, 0.06587550296318212}, {21595, 926, 0.056753663137846327}, {22989, 9215, 0.062701493097779032}, {23029, 10553, 0.10513074200825143}, {24037, 10552, 0.15265229803874364}, {25520, 11095, 0.082317476380825788}, {25994, 25157, 0.10523832500369053}, {27381, 5860, 0.047846522114599235}, {27950, 2474, 0.071258021785570405}, {32518, 2910, 0.16897193328935692}, {38075, 1722, 0.087282483122283303}, {38149, 5466, 0.11030369679018157}, {39787, 22574, 0.082972153711334734}, {41119, 13522, 0.1612422679346322}, {41396, 10063, 0.17609146352749866}, {41660, 2464, 0.10406954936864783}, {42137, 6147, 0.39331203507756196}, {43486, 9538, 0.14282727361843786}, {43667, 19564, 0.06464675051299501}, {45362, 24904, 0.11369386054279397}, {47524, 15064, 0.10797160272843814}, {47613, 1059, 0.057520225335355196}, {48862, 18210, 0.05592799997867573}}},
		{"tfidf_l1_nosmooth", &TfidfTransformer{Norm: L1, NoSmoothIDF: true}, 50000, 1250.070018649863, []entry{{1435, 8690, 0.022987643011304525}, {1826, 9978, 0.012983840125426614}, {4482, 25188, 0.0097950810961241041}, {6497, 15165, 0.0067671185787214717}, {6534, 24616, 0.016675552362066037}, {6977, 15370, 0.0099492280968960095}, {7499, 505, 0.0018903009716011462}, {10502, 2241, 0.0044409915850518508}, {12740, 11070, 0.012340148284206707}, {13142, 3057, 0.0040775809809107501}, {13441, 7648, 0.0044251694105645837}, {14019, 4278, 0.030582676972106201}, {15513, 10512, 0.0075197904405606402}, {15969, 23427, 0.014820484398004256}, {16902, 937, 0.012179777841357077}, {19593, 20035, 0.075437664159479584}, {20581, 13327, 0.013506861511010118}, {20857, 14641, 0.0060224297605101689}, {21595, 926, 0.0053321370665974756}, {22989, 9215, 0.0047603408280008684}, {23029, 10553, 0.014843378271914648}, {24037, 10552, 0.021638812330655205}, {25520, 11095, 0.012550669979926366}, {25994, 25157, 0.012122982178306353}, {27381, 5860, 0.0036849636626942778}, {27950, 2474, 0.0060082431877987287}, {32518, 2910, 0.024060924346794882}, {38075, 1722, 0.0080624073498137671}, {38149, 5466, 0.011418231230734807}, {39787, 22574, 0.0080742973764534598}, {41119, 13522, 0.030331428076489624}, {41396, 10063, 0.025703240179933643}, {41660, 2464, 0.012647424451048604}, {42137, 6147, 0.095142947305406553}, {43486, 9538, 0.018039662880293319}, {43667, 19564, 0.0073583484944472278}, {45362, 24904, 0.015049741461708503}, {47524, 15064, 0.01101084705507519}, {47613, 1059, 0.0047894732697380668}, {48862, 18210, 0.0044121289055556586}}},
		{"tfidf_none_noidf", &TfidfTransformer{NoIDF: true, Norm: NoNorm}, 4373522, 6510082, []entry{{1435, 8690, 1}, {1826, 9978, 1}, {4482, 25188, 1}, {6497, 15165, 1}, {6534, 24616, 1}, {6977, 15370, 1}, {7499, 505, 1}, {10502, 2241, 1}, {12740, 11070, 2}, {13142, 3057, 1}, {13441, 7648, 1}, {14019, 4278, 1}, {15513, 10512, 1}, {15969, 23427, 1}, {16902, 937, 1}, {19593, 20035, 3}, {20581, 13327, 1}, {20857, 14641, 1}, {21595, 926, 1}, {22989, 9215, 1}, {23029, 10553, 1}, {24037, 10552, 1}, {25520, 11095, 1}, {25994, 25157, 1}, {27381, 5860, 1}, {27950, 2474, 1}, {32518, 2910, 1}, {38075, 1722, 1}, {38149, 5466, 2}, {39787, 22574, 1}, {41119, 13522, 2}, {41396, 10063, 3}, {41660, 2464, 1}, {42137, 6147, 4}, {43486, 9538, 1}, {43667, 19564, 1}, {45362, 24904, 1}, {47524, 15064, 1}, {47613, 1059, 1}, {48862, 18210, 2}}},
	}
	for _, c := range cases {
		m, err := c.tf.FitTransform(context.Background(), counts)
		if err != nil {
			t.Fatal(err)
		}
		if m.NNZ() != 3769555 {
			t.Errorf("%s: %d non-zeros", c.name, m.NNZ())
		}
		sum, _, sumSq := sumsOf(m)
		if math.Abs(sum-c.sum) > 1e-12*c.sum || math.Abs(sumSq-c.sumSq) > 1e-12*c.sumSq {
			t.Errorf("%s: sum %.17g, sum of squares %.17g; scikit-learn %.17g, %.17g", c.name, sum, sumSq, c.sum, c.sumSq)
		}
		for _, e := range c.samples {
			if got := m.At(e.row, e.col); math.Abs(got-e.value) > 1e-12 {
				t.Errorf("%s: [%d,%d] = %.17g; scikit-learn %.17g", c.name, e.row, e.col, got, e.value)
			}
		}
		if c.name != "tfidf" {
			continue
		}
		idf := c.tf.IDF()
		worst := 0.0
		for j, want := range readFloats(t, "testdata/imdb_tfidf_idf.txt.gz") {
			worst = math.Max(worst, math.Abs(idf[j]-want))
		}
		if worst > 1e-12 {
			t.Errorf("idf differs from scikit-learn's by up to %g", worst)
		}
		colSum := make([]float64, len(idf))
		raw := m.RawMatrix()
		for k, j := range raw.Ind {
			colSum[j] += raw.Data[k]
		}
		worst = 0
		for j, want := range readFloats(t, "testdata/imdb_tfidf_colsum.txt.gz") {
			worst = math.Max(worst, math.Abs(colSum[j]-want)/math.Max(1, math.Abs(want)))
		}
		if worst > 1e-10 { // the file has 12 significant digits
			t.Errorf("column sums differ from scikit-learn's by up to %g (relative)", worst)
		}
		t.Logf("idf and %d column sums agree", len(colSum))
	}
}

// structureSHA256 hashes indptr and indices as the reference script does.
func structureSHA256(m *sparse.CSR) string {
	raw := m.RawMatrix()
	h := sha256.New()
	var b [8]byte
	for _, a := range [][]int{raw.Indptr, raw.Ind} {
		for _, x := range a {
			binary.LittleEndian.PutUint64(b[:], uint64(x))
			h.Write(b[:])
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func TestIMDBHashingParity(t *testing.T) {
	if raceEnabled {
		t.Skip("whole-corpus parity runs without -race")
	}
	docs, _ := realdata.IMDB(t)
	cases := []struct {
		name        string
		h           *HashingVectorizer
		nnz         int
		structure   string
		sum, sumAbs float64
		samples     []entry
	}{
		{"hash_2p18", &HashingVectorizer{NFeatures: 1 << 18}, 6795736, "b86a97f407bee908b2b1117664268d1a7472fcc0bc082f4e0dff5b971b77916c", 16488.123214464122, 396532.05217574217, []entry{{2835, 58129, 0.044280744277004763}, {4710, 139080, 0.10894694214056866}, {5601, 110653, -0.045407660918649985}, {7639, 88541, 0.077953902337504016}, {9548, 155956, -0.041204282171516463}, {10211, 67722, 0.055470019622522911}, {13085, 206314, -0.20672455764868078}, {13157, 31925, -0.11768778828946262}, {13860, 85040, -0.023802777946288958}, {15012, 37375, 0.040455669703136743}, {15385, 48945, 0.015005815880699063}, {16882, 120125, 0.017694265686843822}, {20766, 112093, -0.017351334076072627}, {21205, 71832, -0.18057877962865379}, {21698, 42101, -0.020286020648339485}, {22589, 57090, -0.014146380174561475}, {28006, 10589, -0.052360326949374314}, {28191, 163325, 0.039936153191543582}, {30072, 110558, 0.027176321259932201}, {32925, 65982, -0.019142481328851556}, {33544, 71321, -0.074587414062820143}, {34027, 253388, 0.04926646390821466}, {36601, 122278, 0.017079674642128877}, {37641, 79182, 0.039283710065919304}, {40789, 50743, -0.019737269249541726}, {40838, 41472, 0.049968779266390762}, {41980, 156296, -0.056523341894422152}, {44114, 225711, -0.10101525445522107}, {47311, 55264, 0.066113946408188989}, {49632, 254086, 0.046880723093849538}}},
		{"hash_2p20_noalt_nonorm", &HashingVectorizer{NoAlternateSign: true, Norm: NoNorm}, 6797093, "75b099b5fc741237afe3e4673d61d7de4cda7c40290710a1931bc29c089ee361", 11024286, 11024286, []entry{{2835, 286878, 12}, {4710, 479532, 3}, {5601, 363647, 2}, {7639, 320842, 1}, {9548, 407816, 1}, {10210, 1034375, 3}, {13085, 630107, 1}, {13157, 35150, 1}, {13860, 270295, 1}, {15012, 32040, 1}, {15385, 81890, 1}, {16882, 338809, 3}, {20766, 342564, 2}, {21204, 1037533, 1}, {21697, 1047950, 1}, {22589, 68115, 2}, {28005, 497406, 1}, {28191, 236566, 1}, {30072, 253495, 1}, {32925, 122961, 1}, {33544, 98369, 2}, {34027, 821417, 1}, {36601, 333465, 2}, {37640, 1040529, 1}, {40788, 994433, 2}, {40837, 865514, 1}, {41980, 309898, 1}, {44114, 511004, 1}, {47311, 286878, 25}, {49633, 0, 1}}},
		{"hash_1000_bigram_nonorm", &HashingVectorizer{NFeatures: 1000, NGramRange: [2]int{1, 2}, Norm: NoNorm}, 13744397, "65e01808c3637ab7f00f20e80b3812c3ba346e7109e44d6fcad19bfc51f4b4a6", 622156, 18626976, []entry{{2818, 196, 3}, {4684, 992, -1}, {5579, 365, -1}, {7616, 323, -1}, {9517, 385, 2}, {10188, 518, 1}, {13069, 544, 1}, {13141, 355, -1}, {13839, 486, -1}, {14993, 815, -1}, {15367, 54, -1}, {16863, 60, -1}, {20746, 898, 1}, {21185, 120, -1}, {21676, 716, 2}, {22577, 781, 1}, {27986, 112, 1}, {28174, 508, -1}, {30046, 982, -4}, {32915, 681, 2}, {33534, 418, 1}, {34017, 214, -1}, {36575, 983, -1}, {37611, 44, -1}, {40768, 536, 1}, {40826, 452, 1}, {41968, 931, -1}, {44103, 345, 3}, {47308, 470, 2}, {49634, 988, 1}}},
	}
	for _, c := range cases {
		m, err := c.h.Transform(docs)
		if err != nil {
			t.Fatal(err)
		}
		if m.NNZ() != c.nnz || structureSHA256(m) != c.structure {
			t.Errorf("%s: %d stored entries, structure sha256 %s; scikit-learn %d, %s", c.name, m.NNZ(), structureSHA256(m), c.nnz, c.structure)
		}
		sum, sumAbs, _ := sumsOf(m)
		if math.Abs(sum-c.sum) > 1e-9 || math.Abs(sumAbs-c.sumAbs) > 1e-12*c.sumAbs {
			t.Errorf("%s: sum %.17g, sum of |x| %.17g; scikit-learn %.17g, %.17g", c.name, sum, sumAbs, c.sum, c.sumAbs)
		}
		for _, e := range c.samples {
			if got := m.At(e.row, e.col); math.Abs(got-e.value) > 1e-12 {
				t.Errorf("%s: [%d,%d] = %.17g; scikit-learn %.17g", c.name, e.row, e.col, got, e.value)
			}
		}
	}
}

func TestIMDBNGramParity(t *testing.T) {
	if raceEnabled {
		t.Skip("whole-corpus parity runs without -race")
	}
	docs, _ := realdata.IMDB(t)
	cases := []struct {
		name          string
		cv            *CountVectorizer
		terms, nnz    int
		sum           float64
		vocab, matrix string
	}{
		{"CountVectorizer(ngram_range=(1, 2), min_df=20, stop_words='english')",
			&CountVectorizer{NGramRange: [2]int{1, 2}, MinDF: DF{Docs: 20}, StopWords: EnglishStopWords()}, 34020, 4995968, 5921283,
			"9a2f60c92e67da399acf448a08e04d3a13751dc54880c2124e257dc08d88fb4e",
			"e8d19f6652e045b7a8b44e2cf0021fe24f2b72ff5778d2b3ca37978889ab84cf"},
		{"CountVectorizer(ngram_range=(2, 3), min_df=5, max_df=0.5) on the first 10,000 reviews",
			&CountVectorizer{NGramRange: [2]int{2, 3}, MinDF: DF{Docs: 5}, MaxDF: DF{Fraction: 0.5}}, 85586, 1632982, 1727856,
			"8689c7c40f78c4c7d1bb80d180096d356869c81944729241359c1bcce0c054af",
			"a0a737fbbcbaaa9cb83a172e1d09b0a49a4dc2c798a2464c8acae337c1914b5e"},
	}
	for i, c := range cases {
		corpus := docs
		if i == 1 {
			corpus = docs[:10000] // millions of distinct trigrams: the whole corpus is for benchmarks
		}
		m, err := c.cv.FitTransform(context.Background(), corpus)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		_, cols := m.Dims()
		if cols != c.terms || m.NNZ() != c.nnz || sumData(m) != c.sum {
			t.Errorf("%s: %d terms, %d non-zeros, sum %g; scikit-learn %d, %d, %g", c.name, cols, m.NNZ(), sumData(m), c.terms, c.nnz, c.sum)
		}
		if h := vocabSHA256(c.cv.Vocabulary()); h != c.vocab {
			t.Errorf("%s: vocabulary sha256 %s differs from scikit-learn's", c.name, h)
		}
		if h := matrixSHA256(m); h != c.matrix {
			t.Errorf("%s: matrix sha256 %s differs from scikit-learn's", c.name, h)
		}
	}
}
