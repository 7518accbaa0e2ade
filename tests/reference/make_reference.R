# Reference numbers for evsynth's pooling engine, computed with R's metafor.
#
# Regenerate (needs R >= 4 with metafor 3.8.1 and metadat; the project itself never needs R):
#   Rscript tests/reference/make_reference.R tests/reference/metafor_reference.json
#
# metafor's default convergence thresholds (Fisher scoring change < 1e-5, uniroot tol ~1.2e-4) are
# looser than the 1e-6 agreement we test, so every fit below is run with tight controls.  The Python
# engine converges to the same roots; with metafor's defaults both agree only to about 1e-5.

suppressPackageStartupMessages({
  library(metafor)
  library(metadat)
  library(jsonlite)
})

args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args) >= 1) args[1] else "tests/reference/metafor_reference.json"

ctl <- list(threshold = 1e-11, maxiter = 10000, tol = 1e-14)
ci_ctl <- list(tol = 1e-14, maxiter = 10000)
methods <- c("FE", "DL", "REML", "PM", "ML", "SJ", "HE", "EB", "HS")
tests <- c("z", "knha")

num <- function(x) if (is.null(x) || length(x) == 0 || is.na(x[1])) NULL else unname(as.numeric(x))

# --- Datasets: yi (log scale where ratio), vi, label, year, subgroup ------------------------------
datasets <- list()
add <- function(name, source, yi, vi, study, year = NULL, subgroup = NULL) {
  datasets[[name]] <<- list(
    source = source, study = as.character(study), yi = as.numeric(yi), vi = as.numeric(vi),
    year = if (is.null(year)) NULL else as.integer(year),
    subgroup = if (is.null(subgroup)) NULL else as.character(subgroup)
  )
}

d <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
add("bcg", "metadat::dat.bcg, escalc(measure='RR') (log risk ratio)", d$yi, d$vi,
    paste(d$author, d$year), d$year, d$alloc)
add("k2", "first two trials of metadat::dat.bcg (k = 2)", d$yi[1:2], d$vi[1:2],
    paste(d$author, d$year)[1:2], d$year[1:2])

d <- dat.hackshaw1998
add("hackshaw1998", "metadat::dat.hackshaw1998, yi/vi as shipped (log odds ratio)", d$yi, d$vi,
    paste0(d$author, " ", d$year, " #", d$study), d$year, d$design)

d <- escalc(measure = "OR", ai = b.xti, n1i = nti, ci = b.xci, n2i = nci, data = dat.collins1985a)
d <- d[!is.na(d$yi), ]
add("collins1985a", "metadat::dat.collins1985a, escalc(measure='OR') on pre-eclampsia (log odds ratio)",
    d$yi, d$vi, paste0(d$trial, " #", d$id), d$year)

d <- escalc(measure = "RR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat.linde2005)
d <- d[!is.na(d$yi), ]
add("linde2005", "metadat::dat.linde2005, escalc(measure='RR') (log risk ratio)", d$yi, d$vi,
    paste0(d$study, " #", d$id), d$year)

d <- escalc(measure = "OR", ai = ai, n1i = n1i, ci = ci, n2i = n2i, data = dat.li2007)
d <- d[!is.na(d$yi), ]
add("li2007", "metadat::dat.li2007, escalc(measure='OR') (log odds ratio)", d$yi, d$vi,
    paste0(d$study, " #", d$id), d$year)

d <- escalc(measure = "MD", m1i = m1i, sd1i = sd1i, n1i = n1i, m2i = m2i, sd2i = sd2i, n2i = n2i,
            data = dat.normand1999)
add("normand1999", "metadat::dat.normand1999, escalc(measure='MD') (mean difference)", d$yi, d$vi,
    d$source)

add("boundary0", "hand-made: Q < k - 1, every estimator's tau2 on the boundary 0",
    c(0.10, 0.12, 0.08, 0.11, 0.09), c(0.04, 0.05, 0.03, 0.06, 0.05), paste("Study", 1:5),
    2001:2005)
add("unequal", "hand-made: sampling variances spanning five orders of magnitude",
    c(-0.5, 0.2, 0.8, -1.2, 0.1, 0.4), c(1e-4, 0.01, 0.5, 2.0, 0.05, 10), paste("Study", 1:6),
    c(2001, 2003, 2002, 2006, 2005, 2004))
add("huge", "hand-made: one huge study (variance 1e-5) among small ones",
    c(-0.3, -0.1, -0.6, 0.2, -0.4, -0.2, 0.1, -0.8), c(1e-5, 0.1, 0.2, 0.15, 0.08, 0.3, 0.12, 0.25),
    paste("Study", 1:8), 2001:2008)

# --- Fits ---------------------------------------------------------------------------------------
fit_fields <- function(res, level) {
  pr <- predict(res)
  f <- list(
    k = res$k, estimate = num(res$beta), se = num(res$se), ci_low = num(res$ci.lb),
    ci_high = num(res$ci.ub), stat = num(res$zval), p = num(res$pval), tau2 = num(res$tau2),
    i2 = num(res$I2), h2 = num(res$H2), q = num(res$QE), q_df = res$k - res$p, q_p = num(res$QEp),
    pi_low = num(pr$pi.lb), pi_high = num(pr$pi.ub), weights = num(weights(res)),
    df = num(res$ddf)
  )
  if (!(res$method %in% c("FE", "EE", "CE"))) {
    ci <- confint(res, control = ci_ctl)
    f$tau2_ci_low <- num(ci$random["tau^2", "ci.lb"])
    f$tau2_ci_high <- num(ci$random["tau^2", "ci.ub"])
    f$i2_ci_low <- num(ci$random["I^2(%)", "ci.lb"])
    f$i2_ci_high <- num(ci$random["I^2(%)", "ci.ub"])
    f$h2_ci_low <- num(ci$random["H^2", "ci.lb"])
    f$h2_ci_high <- num(ci$random["H^2", "ci.ub"])
    if (res$k >= 3) {
      pk2 <- predict(res, pi.type = "riley")
      f$pi_k2_low <- num(pk2$pi.lb)
      f$pi_k2_high <- num(pk2$pi.ub)
    }
  }
  f
}

fits <- list()
for (name in names(datasets)) {
  ds <- datasets[[name]]
  for (m in methods) for (t in tests) for (level in c(0.95, 0.90)) {
    if (level == 0.90 && !(name %in% c("bcg", "k2"))) next
    res <- try(suppressWarnings(
      rma(yi = ds$yi, vi = ds$vi, method = m, test = t, level = level * 100, control = ctl)
    ), silent = TRUE)
    if (inherits(res, "try-error")) {
      cat("skipped", name, m, t, level, ":", conditionMessage(attr(res, "condition")), "\n")
      next
    }
    f <- fit_fields(res, level)
    fits[[length(fits) + 1]] <- c(list(dataset = name, method = m, test = t, level = level), f)
  }
}

# --- Small-study effects --------------------------------------------------------------------------
egger <- list(); begg <- list(); tf <- list()
for (name in names(datasets)) {
  ds <- datasets[[name]]
  if (length(ds$yi) < 3) next
  fe <- suppressWarnings(rma(yi = ds$yi, vi = ds$vi, method = "FE"))
  # Classical Egger test: weighted least squares of yi on sei, weights 1/vi (model = "lm").
  rt <- regtest(fe, model = "lm", predictor = "sei")
  co <- coef(summary(rt$fit))
  egger[[length(egger) + 1]] <- list(
    dataset = name, intercept = num(co[2, 1]), se = num(co[2, 2]), t = num(co[2, 3]),
    df = num(rt$dfs), p = num(co[2, 4]), limit_estimate = num(rt$est), limit_ci_low = num(rt$ci.lb),
    limit_ci_high = num(rt$ci.ub)
  )
  rk <- suppressWarnings(ranktest(fe))
  begg[[length(begg) + 1]] <- list(dataset = name, tau = num(rk$tau), p = num(rk$pval))
  for (m in methods) {
    res <- try(suppressWarnings(rma(yi = ds$yi, vi = ds$vi, method = m, control = ctl)), silent = TRUE)
    if (inherits(res, "try-error")) next
    tfr <- try(suppressWarnings(trimfill(res, control = ctl)), silent = TRUE)
    if (inherits(tfr, "try-error")) next
    tf[[length(tf) + 1]] <- list(
      dataset = name, method = m, k0 = tfr$k0, side = tfr$side, estimate = num(tfr$beta),
      se = num(tfr$se), ci_low = num(tfr$ci.lb), ci_high = num(tfr$ci.ub), tau2 = num(tfr$tau2),
      k = tfr$k
    )
  }
}

# --- Sensitivity: leave-one-out, cumulative by year, subgroups -----------------------------------
l1o <- list(); cum <- list(); sub <- list()
for (name in names(datasets)) {
  ds <- datasets[[name]]
  if (length(ds$yi) < 3) next
  for (mt in list(c("REML", "z"), c("DL", "knha"), c("FE", "z"), c("PM", "z"))) {
    res <- suppressWarnings(rma(yi = ds$yi, vi = ds$vi, method = mt[1], test = mt[2], control = ctl,
                                slab = ds$study))
    lo <- suppressWarnings(leave1out(res))
    l1o[[length(l1o) + 1]] <- list(
      dataset = name, method = mt[1], test = mt[2], estimate = num(lo$estimate), se = num(lo$se),
      ci_low = num(lo$ci.lb), ci_high = num(lo$ci.ub), tau2 = num(lo$tau2), i2 = num(lo$I2),
      q = num(lo$Q), q_p = num(lo$Qp)
    )
    if (!is.null(ds$year)) {
      cu <- suppressWarnings(cumul(res, order = ds$year))
      # cumul() lists the fits in year order; k = 1 first step has no Q/I2 in metafor (NA).
      cum[[length(cum) + 1]] <- list(
        dataset = name, method = mt[1], test = mt[2], study = as.character(cu$slab),
        estimate = num(cu$estimate), se = num(cu$se), ci_low = num(cu$ci.lb),
        ci_high = num(cu$ci.ub), tau2 = num(cu$tau2), i2 = num(cu$I2)
      )
    }
  }
  if (!is.null(ds$subgroup)) {
    for (m in c("REML", "DL", "FE")) {
      groups <- list(); est <- c(); se <- c()
      for (g in sort(unique(ds$subgroup))) {
        idx <- which(ds$subgroup == g)
        res <- suppressWarnings(rma(yi = ds$yi[idx], vi = ds$vi[idx], method = m, control = ctl))
        groups[[g]] <- list(k = res$k, estimate = num(res$beta), se = num(res$se),
                            ci_low = num(res$ci.lb), ci_high = num(res$ci.ub), tau2 = num(res$tau2))
        est <- c(est, res$beta); se <- c(se, res$se)
      }
      between <- rma(yi = est, sei = se, method = "FE")
      sub[[length(sub) + 1]] <- list(
        dataset = name, method = m, groups = groups, q_between = num(between$QE),
        df = length(est) - 1, p = num(between$QEp)
      )
    }
  }
}

ref <- list(
  generated_by = "tests/reference/make_reference.R",
  r_version = paste(R.version$major, R.version$minor, sep = "."),
  metafor_version = as.character(packageVersion("metafor")),
  metadat_version = as.character(packageVersion("metadat")),
  control = list(rma = ctl, confint = ci_ctl),
  datasets = datasets, fits = fits, egger = egger, begg = begg, trim_and_fill = tf,
  leave_one_out = l1o, cumulative = cum, subgroups = sub
)
writeLines(toJSON(ref, auto_unbox = TRUE, digits = NA, null = "null", na = "null", pretty = TRUE),
           out)
cat("wrote", out, ":", length(fits), "fits,", length(tf), "trim-and-fill,", length(l1o),
    "leave-one-out,", length(cum), "cumulative,", length(sub), "subgroup analyses\n")
