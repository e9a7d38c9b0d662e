@echo off
rem Starts the transaction counter from its distribution, or runs one of its commands:
rem   bin\txcounter.bat              serve, with conf\deployment.toml
rem   bin\txcounter.bat migrate      any command of txcounter.jar (count, report, nodes, verify, ...)
rem It runs in the distribution's home (the directory above bin\), so the relative paths of deployment.toml
rem resolve there; logs go to logs\, temporary files to tmp\.
rem Environment: JAVA_HOME (JDK or JRE 17+), TXCOUNTER_HEAP (default -Xms256m -Xmx1024m), JAVA_OPTS (added last).
setlocal
set "TXCOUNTER_HOME=%~dp0.."
pushd "%TXCOUNTER_HOME%"
set "TXCOUNTER_HOME=%CD%"
if defined JAVA_HOME (set "JAVA=%JAVA_HOME%\bin\java.exe") else (set "JAVA=java.exe")
"%JAVA%" -version >nul 2>&1
if errorlevel 1 (
  echo txcounter: no Java found. Install a JDK or JRE 17 or later, or set JAVA_HOME. 1>&2
  popd
  exit /b 2
)
if not defined TXCOUNTER_HEAP set "TXCOUNTER_HEAP=-Xms256m -Xmx1024m"
for %%d in (logs data tmp) do if not exist "%TXCOUNTER_HOME%\%%d" mkdir "%TXCOUNTER_HOME%\%%d"
"%JAVA%" %TXCOUNTER_HEAP% -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData -XX:+HeapDumpOnOutOfMemoryError ^
 "-XX:HeapDumpPath=%TXCOUNTER_HOME%\logs" "-XX:ErrorFile=%TXCOUNTER_HOME%\logs\hs_err_pid%%p.log" ^
 "-Xlog:gc*,safepoint:file=logs/gc.log:time,uptime,level,tags:filecount=5,filesize=20m" ^
 -Dfile.encoding=UTF-8 -Dsun.jnu.encoding=UTF-8 "-Djava.io.tmpdir=%TXCOUNTER_HOME%\tmp" ^
 "-Djava.util.prefs.userRoot=%TXCOUNTER_HOME%\data\prefs" ^
 -Djdk.tls.ephemeralDHKeySize=2048 -Djdk.tls.rejectClientInitiatedRenegotiation=true ^
 "-Dtxcounter.log.dir=%TXCOUNTER_HOME%\logs" ^
 %JAVA_OPTS% -jar "%TXCOUNTER_HOME%\lib\txcounter.jar" %*
set "STATUS=%ERRORLEVEL%"
popd
exit /b %STATUS%
