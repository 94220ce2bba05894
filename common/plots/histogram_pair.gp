# Two configurations side by side per category (FP32 against WRPN), log axis so the smaller bar of a
# pair stays visible however far apart they are. @USING_A@ / @USING_B@ are gnuplot column expressions
# (e.g. 2 or ($2*1e-6) to turn pJ into uJ); @ROWS@ an `every` range (::1 skips the header).
reset
set terminal pngcairo size 1100,520 noenhanced
set datafile separator ','
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set grid ytics
set xtics rotate by -30
set key outside right top
set logscale y
set output '@OUTPUT@'
set title @TITLE@
set xlabel @XLABEL@
set ylabel @YLABEL@
plot '@DATA@' every @ROWS@ using @USING_A@:xtic(1) title @A_TITLE@, \
     '' every @ROWS@ using @USING_B@ title @B_TITLE@
