"""Validates ONNX models with the onnx package's checker, for the onnx
package's acceptance test.

    /usr/bin/python3 check.py MODEL.onnx ...

Each file must pass onnx.checker.check_model(model, full_check=True), which
also runs strict shape inference. Prints one line per model; exits 1 on the
first failure, naming the file.
"""
import sys

import onnx


def main(paths):
    for path in paths:
        model = onnx.load(path)
        try:
            onnx.checker.check_model(model, full_check=True)
        except Exception as err:  # the checker raises several error types
            print("%s: %s" % (path, err))
            return 1
        print("onnx %s: %s passes check_model(full_check=True)" % (onnx.__version__, path))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
