# Regenerates the pooling JSON fixtures of tests/test_figures_*.py with metafor (run by hand:
# `Rscript tests/data/figures/make_fixtures.R` from the repository root). The study data are
# invented; the numbers only need to be internally consistent like a real pooling run.
suppressMessages({library(metafor); library(jsonlite)})
setwd("tests/data/figures")

model_json <- function(fit, name, studies) {
  pr <- predict(fit)
  w <- weights(fit)
  list(k = fit$k, estimate = as.numeric(fit$b), se = fit$se, ci_low = fit$ci.lb,
       ci_high = fit$ci.ub, stat = fit$zval, p = fit$pval, tau2 = fit$tau2,
       i2 = fit$I2, h2 = fit$H2, q = fit$QE, q_df = fit$k - fit$p, q_p = fit$QEp,
       pi_low = if (is.null(pr$pi.lb)) pr$ci.lb else pr$pi.lb,
       pi_high = if (is.null(pr$pi.ub)) pr$ci.ub else pr$pi.ub,
       weights = as.numeric(w), studies = studies,
       method = fit$method, test = fit$test, level = 0.95)
}

sens <- function(x, labels) {
  lapply(seq_along(labels), function(i) list(study = labels[i], estimate = x$estimate[i],
    ci_low = x$ci.lb[i], ci_high = x$ci.ub[i], tau2 = x$tau2[i], i2 = x$I2[i]))
}

pool_json <- function(d, id, label, chosen, sub = NULL) {
  fe <- rma(yi, sei = se, data = d, method = "FE")
  re <- rma(yi, sei = se, data = d, method = "REML")
  out <- list(analysis = id, label = label, factor = "complete_resection", outcome = "PRS",
    published = NULL, k = nrow(d), chosen = chosen, rule = "heterogeneity", status = "pooled",
    fixed = model_json(fe, "fixed", d$study), random = model_json(re, "random", d$study))
  if (nrow(d) >= 3) {
    l1 <- leave1out(re)
    out$leave_one_out <- sens(l1, d$study)
    ord <- order(d$year)
    cu <- cumul(re, order = ord)
    out$cumulative <- lapply(seq_len(nrow(d)), function(i) list(study = d$study[ord][i],
      k = i, estimate = cu$estimate[i], ci_low = cu$ci.lb[i], ci_high = cu$ci.ub[i],
      tau2 = cu$tau2[i], i2 = cu$I2[i]))
    eg <- regtest(re, model = "lm")
    # Egger's "intercept" is the coefficient of the SE in metafor's yi ~ sei parametrisation.
    cf <- summary(eg$fit)$coefficients
    out$egger <- list(intercept = cf[2, 1], se = cf[2, 2], t = eg$zval, df = eg$dfs,
      p = eg$pval)
    tf <- trimfill(re)
    fill <- tf$fill
    out$trim_and_fill <- list(k0 = tf$k0, side = tf$side, estimate = as.numeric(tf$b),
      ci_low = tf$ci.lb, ci_high = tf$ci.ub,
      filled = lapply(which(fill), function(i) list(yi = tf$yi[i], se = sqrt(tf$vi[i]))))
  }
  if (!is.null(sub)) {
    out$subgroups <- lapply(split(d, d[[sub]]), function(g) {
      if (nrow(g) < 2) return(NULL)
      list(fixed = model_json(rma(yi, sei = se, data = g, method = "FE"), "fixed", g$study),
           random = model_json(rma(yi, sei = se, data = g, method = "REML"), "random", g$study))
    })
    out$subgroups <- out$subgroups[!sapply(out$subgroups, is.null)]
  }
  out
}

write_pair <- function(d, id, label, chosen, sub = NULL) {
  write.table(d[, c("study", "yi", "se", "study_id", "year", "label", "subgroup")],
              paste0(id, ".tsv"), sep = "\t", quote = FALSE, row.names = FALSE, na = "")
  writeLines(toJSON(pool_json(d, id, label, chosen, sub), auto_unbox = TRUE, digits = NA,
                    pretty = TRUE, null = "null"), paste0(id, ".json"))
}

hr <- c(0.42, 0.61, 0.35, 0.88, 0.52, 0.29, 0.74, 0.47)
lo <- c(0.25, 0.38, 0.15, 0.55, 0.30, 0.09, 0.41, 0.22)
hi <- c(0.71, 0.98, 0.82, 1.41, 0.90, 0.93, 1.34, 1.00)
authors <- c("Alvarez", "Becker", "Chen", "Dubois", "Eriksen", "Fujita", "Gomez", "Hansen")
years <- c(2003, 2008, 2011, 2013, 2015, 2017, 2019, 2021)
d <- data.frame(study = paste(authors, years), yi = log(hr),
                se = (log(hi) - log(lo)) / (2 * qnorm(0.975)),
                study_id = tolower(paste0(authors, years)), year = years,
                label = paste(authors, "et al."), subgroup = "")
write_pair(d, "complete_resection_prs", "Complete resection and post-relapse survival",
           "random")

d2 <- d
d2$subgroup <- c("Europe", "Europe", "Asia", "Europe", "North America", "Asia", "North America",
                 "Asia")
write_pair(d2, "complete_resection_prs_by_region",
           "Complete resection and post-relapse survival, by region", "random", sub = "subgroup")

set.seed(20261127)
n <- 60
y60 <- rnorm(n, log(0.6), 0.25)
se60 <- runif(n, 0.12, 0.7)
d60 <- data.frame(study = sprintf("Study %02d %d", seq_len(n), 1990 + (seq_len(n) %% 33)),
                  yi = rnorm(n, y60, se60 * 0.3), se = se60,
                  study_id = sprintf("study%02d", seq_len(n)), year = 1990 + (seq_len(n) %% 33),
                  label = sprintf("Study %02d", seq_len(n)), subgroup = "")
write_pair(d60, "many_studies", "Sixty studies (layout test)", "random")

d3 <- d[c(2, 4, 7), ]
write_pair(d3, "laterality_prs", "Unilateral vs bilateral metastases and post-relapse survival",
           "fixed")
