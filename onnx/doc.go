// Package onnx exports fitted kiln pipelines as ONNX models, so that a Java,
// C#, JavaScript, Python or C++ service can score them with ONNX Runtime
// instead of reimplementing every step.
//
//	err := onnx.WriteFile("churn.onnx", p, onnx.Options{}) // p: a fitted *pipeline.Pipeline
//
// Export gives the same model as bytes; ExportSteps exports a list of fitted
// steps and an input schema without a pipeline.
//
// The model uses standard operators only (ai.onnx opset 17 and ai.onnx.ml
// opset 3, IR version 8: the newest that Debian's onnx 1.12 checker
// validates, run by ONNX Runtime 1.30), computes in float64 wherever kiln
// does, and records the model's name and version in metadata_props ("name",
// "version"). Nothing in persist or in a program that only loads and scores
// imports this package or its protobuf code.
//
// # Steps, inputs and outputs
//
// A features.Table reads one input per column it uses, shaped [N, 1] and
// typed from the input schema: Float64 -> double, Int64 -> int64, Bool ->
// bool, String -> string. Numeric columns are imputed (Where(IsNaN(x), fill,
// x)), centred and scaled (Sub, Div) as kiln does; categorical columns are
// one-hot encoded by ai.onnx.ml's OneHotEncoder (unseen values give zeros),
// with the "is unknown" column computed as 1 minus the row's one-hot sum, so
// TopN and DropFirst export as kiln fitted them.
//
// A text.CountVectorizer reads one input named after the text column,
// shaped [N, T] of strings: each row holds one document's tokens, as kiln's
// tokenizer gives them (text.Tokenizer with the vectorizer's KeepCase and
// DecodeErrors, over the document after the pipeline's TextPreprocess),
// padded on the right with empty strings to the longest document (T >= 1).
// TfIdfVectorizer counts the vocabulary's words and n-grams over them
// (Binary: Min(count, 1)); a TfidfTransformer follows with Log, Mul and a row
// norm. With StopWords and n-grams, the stop words are first removed from
// each row (LabelEncoder, CumSum, ScatterElements), since kiln joins n-grams
// after removing them. The metadata keys kiln.text.* repeat what the tokens' producer must
// do.
//
// Outputs: LinearRegression gives the values ([N] double) under
// Options.Output; LogisticRegression the label ([N], typed like
// Options.Labels) and "probabilities" ([N, K] double, one column per class
// in Classes order, no ZipMap); KMeans and MiniBatchKMeans the cluster id
// ([N] int64) and "distances" ([N, K] double, Euclidean; after a table
// encoder the graph forms the [N, K, features] differences, as kiln does for
// dense rows, so score large batches of wide rows in parts). Without a final
// model the output is "features" ([N, width] double).
//
// # What cannot be exported, and why
//
// The exporter refuses, with an error naming the setting and wrapping
// ErrUnsupported, rather than write a model that would score differently:
//
//   - Documents as input. ONNX has no operator that splits text into kiln's
//     tokens: up to opset 17 none splits strings at all (StringNormalizer
//     only drops and recases whole strings, and ONNX Runtime's Tokenizer is
//     the com.microsoft extension, not a standard operator), and opset 20's
//     StringSplit splits on one fixed separator, whereas kiln's tokens are
//     the runs of two or more Unicode word characters after Python's
//     lowercasing, which changes the length of some letters ('İ' becomes
//     "i̇") and the form of a word-final sigma. Hence the tokens input:
//     its producer must tokenize as text.Tokenizer documents (Python's
//     str.lower, then the maximal runs of two or more characters that
//     Python 3.11's \w matches: letters, numbers and '_', not combining
//     marks). Where another tokenizer differs on a character (a regular
//     expression engine whose \w takes in combining marks, a lowercasing
//     without Python's special cases), the counts differ for exactly the
//     documents that hold that character, and for no others.
//   - CountVectorizer.Preprocess, a Go function: name the preprocessor in
//     the pipeline (TextPreprocess) so that the tokens' producer can apply it.
//   - HashingVectorizer and Table.Hashed: MurmurHash3 and FNV-1a have no
//     ai.onnx or ai.onnx.ml operator.
//   - Table.Categorical over Float64 or Timestamp columns: kiln compares
//     their printed text, which ONNX cannot form from numbers.
//
// What an ONNX input cannot say, and so what to send instead: ONNX tensors
// have no nulls. Send NaN for a missing Float64 cell (imputed as kiln
// imputes it); a missing Int64, Bool or String cell has no ONNX form (kiln
// imputes or ignores it; ONNX scores whatever value stands in its place).
// Where kiln rejects a row with an error (an infinite numeric value, NaN in a
// column fitted without imputation), ONNX Runtime scores it.
package onnx
