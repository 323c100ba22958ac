; Inno Setup 6.5 script for Qalam: a per-user install from a USB stick, no admin rights.
;
;   make dist                                  (on Windows: dist\qalam\qalam.exe)
;   iscc /DAppVersion=0.1.0 build_scripts\windows\qalam.iss
;   -> dist\qalam-0.1.0-windows-x64-setup.exe
;
; Can only be built on Windows (or Wine) with Inno Setup 6.5+; see build_scripts/README.md.
;
; The installer speaks one of Qalam's UI languages: it picks the one of the user's Windows
; display language and offers the others in a drop-down. Inno Setup ships Arabic, Hebrew,
; French, Spanish and Tamil; user-contributed files for Urdu, Persian, Hindi, Bengali and
; Indonesian (https://jrsoftware.org/files/istrans/) are used when copied into
; build_scripts\windows\languages\. None exists for Amharic, Swahili or Yoruba: their users
; get the English installer, then Qalam itself in their language.
;
; A coordinator's provisioning file (qalam-provisioning.json, or the qalam-provisioning
; folder from `qalam-server provision`) placed beside the setup .exe is copied next to
; qalam.exe, where Qalam finds it on first start (app/provisioning.py).

#ifndef AppVersion
  #define AppVersion "0.0.0"
#endif
#define Root AddBackslash(SourcePath) + "..\.."
#define Languages AddBackslash(SourcePath) + "languages\"

[Setup]
AppId={{6F1C5B7E-3D1A-4E4B-9C55-2B7A9E0C4D11}
AppName=Qalam
AppVersion={#AppVersion}
AppVerName=Qalam {#AppVersion}
AppPublisher=Qalam
AppComments=Write, improve and review multilingual prompt/completion data, offline
; Per user, no UAC prompt: %LOCALAPPDATA%\Programs\Qalam. ({autopf} becomes that folder
; under PrivilegesRequired=lowest.) Annotators' data is elsewhere (%LOCALAPPDATA%\Qalam)
; and an uninstall never touches it.
PrivilegesRequired=lowest
DefaultDirName={autopf}\Qalam
DefaultGroupName=Qalam
DisableProgramGroupPage=yes
DisableDirPage=auto
UsePreviousAppDir=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6 needs Windows 10 1809 or later.
MinVersion=10.0.17763
SetupIconFile={#Root}\resources\icons\qalam.ico
UninstallDisplayIcon={app}\qalam.exe
UninstallDisplayName=Qalam
WizardStyle=modern
ShowLanguageDialog=auto
LanguageDetectionMethod=uilanguage
Compression=lzma2/max
SolidCompression=yes
OutputDir={#Root}\dist
OutputBaseFilename=qalam-{#AppVersion}-windows-x64-setup
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "ar"; MessagesFile: "compiler:Languages\Arabic.isl"
Name: "he"; MessagesFile: "compiler:Languages\Hebrew.isl"
Name: "fr"; MessagesFile: "compiler:Languages\French.isl"
Name: "es"; MessagesFile: "compiler:Languages\Spanish.isl"
Name: "ta"; MessagesFile: "compiler:Languages\Tamil.isl"
#if FileExists(Languages + "Urdu.isl")
Name: "ur"; MessagesFile: "{#Languages}Urdu.isl"
#endif
#if FileExists(Languages + "Farsi.isl")
Name: "fa"; MessagesFile: "{#Languages}Farsi.isl"
#endif
#if FileExists(Languages + "Hindi.islu")
Name: "hi"; MessagesFile: "{#Languages}Hindi.islu"
#endif
#if FileExists(Languages + "Bengali.islu")
Name: "bn"; MessagesFile: "{#Languages}Bengali.islu"
#endif
#if FileExists(Languages + "Indonesian.isl")
Name: "id"; MessagesFile: "{#Languages}Indonesian.isl"
#endif

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Root}\dist\qalam\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
; The coordinator's provisioning, taken from beside the setup .exe at install time.
Source: "{src}\qalam-provisioning.json"; DestDir: "{app}"; Flags: external skipifsourcedoesntexist ignoreversion
Source: "{src}\qalam-provisioning\*"; DestDir: "{app}\qalam-provisioning"; Flags: external skipifsourcedoesntexist recursesubdirs createallsubdirs ignoreversion

[Icons]
Name: "{group}\Qalam"; Filename: "{app}\qalam.exe"; WorkingDir: "{app}"
Name: "{group}\{cm:UninstallProgram,Qalam}"; Filename: "{uninstallexe}"
Name: "{userdesktop}\Qalam"; Filename: "{app}\qalam.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
Filename: "{app}\qalam.exe"; Description: "{cm:LaunchProgram,Qalam}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; Only what the program folder may gain after install; never the data directory.
Type: filesandordirs; Name: "{app}\qalam-provisioning"
