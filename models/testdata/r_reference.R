# R 4.2.2 reference values for the models package's inference tests
# (standard errors, tests, intervals and fit figures of lm and glm).
# Run from the repository root:  Rscript models/testdata/r_reference.R
# It prints coef(summary(fit)), confidence intervals and fit figures at 15
# digits (the numbers written into models/glm_test.go and inference_test.go)
# and writes R's printed summaries, at R's default 7 digits, to
# models/testdata/r/*.txt (the layout Summary.String reproduces).
options(digits = 15)
data <- "dataset/builtin/data"
mtcars <- read.csv(file.path(data, "mtcars.csv"))
iris <- read.csv(file.path(data, "iris.csv"))
warpbreaks <- read.csv(file.path(data, "warpbreaks.csv"))
warpbreaks$tension <- factor(warpbreaks$tension, levels = c("L", "M", "H"))
iv <- iris[51:150, ]
iv$virginica <- as.numeric(iv$Species == "virginica")

show <- function(name, f) {
  cat("==", name, "\n")
  s <- summary(f)
  print(coef(s))
  if (inherits(f, "glm")) {
    cat("deviance", format(c(f$deviance, f$null.deviance, f$aic, logLik(f), s$dispersion), digits = 15),
        "iter", f$iter, "df", f$df.residual, f$df.null, "\n")
    print(if (family(f)$family == "gaussian") confint.lm(f) else confint.default(f))
  } else {
    cat("sigma", format(s$sigma, digits = 15), "r2", format(s$r.squared, digits = 15),
        "adj", format(s$adj.r.squared, digits = 15), "F", format(s$fstatistic, digits = 15),
        "p", format(pf(s$fstatistic[1], s$fstatistic[2], s$fstatistic[3], lower.tail = FALSE), digits = 15),
        "loglik", format(logLik(f), digits = 15), "aic", format(AIC(f), digits = 15), "\n")
    print(confint(f))
  }
  op <- options(digits = 7)
  writeLines(capture.output(print(s)), file.path("models/testdata/r", paste0(name, ".txt")))
  options(op)
}

show("glm_binomial_mtcars_am", glm(am ~ wt + hp, binomial, mtcars))
show("glm_binomial_iris", glm(virginica ~ Petal.Length + Petal.Width, binomial, iv))
show("glm_poisson_warpbreaks", glm(breaks ~ wool + tension, poisson, warpbreaks))
show("glm_poisson_mtcars_carb", glm(carb ~ wt + hp, poisson, mtcars))
show("glm_gaussian_mtcars_mpg", glm(mpg ~ wt + hp, gaussian, mtcars))
show("lm_mtcars_mpg", lm(mpg ~ wt + hp, mtcars))
show("lm_longley", lm(Employed ~ ., read.csv(file.path(data, "longley.csv"))))

# Weights and offsets.
show("glm_poisson_offset", glm(carb ~ hp, poisson, mtcars, offset = log(wt)))
show("glm_binomial_weights", glm(am ~ wt + hp, binomial, mtcars, weights = gear))
g <- aggregate(am ~ carb, mtcars, function(v) c(mean(v), length(v)))
agg <- data.frame(carb = g$carb, share = g$am[, 1], cars = g$am[, 2])
show("glm_binomial_proportions", glm(share ~ carb, binomial, agg, weights = cars))
show("lm_weights", lm(mpg ~ wt + hp, mtcars, weights = cyl))
show("glm_gaussian_weights", glm(mpg ~ wt + hp, gaussian, mtcars, weights = cyl))
show("lm_weights_subset", lm(mpg ~ wt + hp, mtcars[-1, ], weights = cyl))
show("glm_gaussian_weights_subset", glm(mpg ~ wt + hp, gaussian, mtcars[-1, ], weights = cyl))

# Fully converged maximum likelihood (the exact MLE that LogisticRegression's
# Newton solver reaches; R's default stops at a relative deviance change of 1e-8).
tight <- glm.control(epsilon = 1e-15, maxit = 100)
show("glm_binomial_mtcars_am_tight", glm(am ~ wt + hp, binomial, mtcars, control = tight))
show("glm_binomial_iris_tight", glm(virginica ~ Petal.Length + Petal.Width, binomial, iv, control = tight))

# Separation: R warns "fitted probabilities numerically 0 or 1 occurred" for both.
y <- c(0, 0, 0, 0, 1, 1, 1, 1)
print(coef(glm(y ~ c(1, 2, 3, 3.2, 3.8, 4, 5, 6), binomial)))
print(coef(glm(y ~ c(1, 2, 3, 3.5, 3.5, 4, 5, 6), binomial)))

# The exact maximum-likelihood inference: standard errors from the inverse
# information matrix at the fully converged estimates (summary.glm uses the
# weights of the iteration before the last), with z tests and Wald intervals.
exact <- function(name, f) {
  cat("==", name, "(information at the estimates)\n")
  X <- model.matrix(f); mu <- fitted(f); w <- weights(f, "prior")
  se <- sqrt(diag(solve(crossprod(X * sqrt(w * mu * (1 - mu))))))
  b <- coef(f); z <- b / se
  print(cbind(Estimate = b, "Std. Error" = se, "z value" = z, "Pr(>|z|)" = 2 * pnorm(-abs(z)),
              lower = b - qnorm(0.975) * se, upper = b + qnorm(0.975) * se))
  cat("deviance", format(c(deviance(f), f$null.deviance, AIC(f), logLik(f)), digits = 15), "\n")
}
exact("glm_binomial_mtcars_am_exact", glm(am ~ wt + hp, binomial, mtcars, control = tight))
exact("glm_binomial_iris_exact", glm(virginica ~ Petal.Length + Petal.Width, binomial, iv, control = tight))
